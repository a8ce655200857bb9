package io.pgkb.schemas;

import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Finds a writer schema by its CRC-64-AVRO fingerprint. An Avro {@link SchemaStore}, so it plugs into Avro's own
 * message decoders too.
 */
public interface SchemaResolver extends SchemaStore {
    /** @return the schema, or null when this resolver does not know the fingerprint */
    @Override
    Schema findByFingerprint(long fingerprint);
}
