package io.pgkb.store.catalog;

/** A segment object as its key names it: the inclusive Kafka offset range of one partition. */
public record SegmentRef(int partition, long firstOffset, long lastOffset, String key, long size) {
    public long count() {
        return lastOffset - firstOffset + 1;
    }
}
