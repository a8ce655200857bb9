package io.pgkb.producer.internal;

/** A transaction as BEGIN announced it; {@code commitLsn} is BEGIN's final_lsn (= COMMIT's commit LSN). */
public record Txn(long xid, long commitLsn, long commitTimeMicros) {
}
