package io.pgkb.producer.internal;

/** A captured DDL of a published table inside {@code txn}, numbered {@code seq} among the transaction's changes. */
public record DdlChange(DdlMessage message, long lsn, Txn txn, long seq) {
}
