package io.pgkb.producer.internal;

/** Receives the assembled stream, in order. Implementations publish to Kafka (or collect, in tests). */
public interface ChangeSink {
    /** A relation was (re)described; its schema must be registered before the next change of it is published. */
    void relation(RelationInfo relation);

    void begin(Txn txn);

    void change(Change change);

    /** A {@code pgkb.mark} logical message inside {@code txn}; it becomes a restore point once txn is confirmed. */
    void mark(Txn txn, String name);

    /**
     * A captured DDL of a table of the publication (or of a dropped table, which the sink keeps if it backs it up),
     * in stream order among the transaction's changes.
     */
    default void ddl(DdlChange ddl) {
    }

    /** A heartbeat message outside any transaction: everything committed before {@code lsn} has been received. */
    void heartbeat(long lsn);

    /** COMMIT: {@code endLsn} is the flush position to confirm once every change of txn is acknowledged. */
    void commit(Txn txn, long endLsn);
}
