package io.pgkb.schemas;

import org.apache.avro.Schema;

/**
 * The Avro schemas of one relation version.
 *
 * @param key   record of the key columns, null when the table has no key columns
 * @param value the change envelope ({@code Envelope.avsc}) with this table's row record in place of {@code Row}
 * @param row   the row record
 */
public record TableSchemas(Schema key, Schema value, Schema row) {
}
