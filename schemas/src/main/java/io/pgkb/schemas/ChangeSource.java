package io.pgkb.schemas;

/**
 * The {@code source} part of a change envelope. LSNs are unsigned 64-bit values in a long.
 *
 * @param commitTimeMicros commit time, microseconds since the Unix epoch
 * @param seq              ordinal of the change within its transaction, all tables counted, from 0
 */
public record ChangeSource(long lsn, long commitLsn, long xid, long commitTimeMicros, long seq, TableId table) {
}
