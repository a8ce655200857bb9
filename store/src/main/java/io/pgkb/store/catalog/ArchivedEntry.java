package io.pgkb.store.catalog;

/** One Kafka record as kept in a segment (ArchivedRecord.avsc), without its headers. */
public record ArchivedEntry(int partition, long offset, long timestampMs, byte[] key, byte[] value, long commitLsn, long seq) {
}
