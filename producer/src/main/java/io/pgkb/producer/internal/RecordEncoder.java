package io.pgkb.producer.internal;

/** Turns changes into Kafka key and value bytes (Avro single-object encoding, or registry mode's framing). */
public interface RecordEncoder {
    /** Key (null for TRUNCATE and tables without key columns) and value of one record. */
    record Encoded(byte[] key, byte[] value) {
    }

    /**
     * A relation version appeared: derive its schemas and make sure they are in {@code _schemas} (acknowledged)
     * before returning, so no record that uses them can precede them.
     */
    void relation(RelationInfo relation);

    Encoded encode(Change change);

    /** The value of a DDL record; its schema is in {@code _schemas} (acknowledged) before this returns. */
    byte[] encodeDdl(io.pgkb.schemas.TableId table, io.pgkb.schemas.DdlEvent ddl);
}
