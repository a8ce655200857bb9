package io.pgkb.schemas;

import java.util.Objects;

/**
 * One column of a relation as the replication stream describes it.
 *
 * @param name     exact PostgreSQL column name
 * @param typeOid  type OID from the Relation message (a domain's own OID, not its base type's)
 * @param typmod   type modifier from the Relation message, -1 when none
 * @param typeName {@code format_type(oid, typmod)}, e.g. {@code numeric(10,2)}, {@code public.mood}, {@code integer[]}
 * @param key      part of the Kafka key: a primary-key (replica identity index) column. Under REPLICA IDENTITY FULL
 *                 pgoutput flags every column, so the producer passes the primary key columns there (or none).
 */
public record ColumnDef(String name, int typeOid, int typmod, String typeName, boolean key) {
    public ColumnDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(typeName, "typeName");
    }
}
