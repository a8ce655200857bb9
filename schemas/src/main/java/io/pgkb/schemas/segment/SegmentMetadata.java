package io.pgkb.schemas.segment;

/**
 * What a segment's container header says about it ({@code pgkb.*} metadata, all values UTF-8 decimal text
 * except topic and checksum). {@code minCommitLsn}/{@code maxCommitLsn} compare as unsigned LSNs.
 */
public record SegmentMetadata(String topic, int partition, long firstOffset, long lastOffset,
                              long minCommitLsn, long maxCommitLsn, long count, String checksum, int format) {
    /** The format this version writes: 2 (records of CompactRecord.avsc); 1 (ArchivedRecord.avsc) is still read. */
    public static final int FORMAT = 2;

    public static final String TOPIC = "pgkb.topic";
    public static final String PARTITION = "pgkb.partition";
    public static final String FIRST_OFFSET = "pgkb.first_offset";
    public static final String LAST_OFFSET = "pgkb.last_offset";
    public static final String MIN_COMMIT_LSN = "pgkb.min_commit_lsn";
    public static final String MAX_COMMIT_LSN = "pgkb.max_commit_lsn";
    public static final String COUNT = "pgkb.count";
    public static final String CHECKSUM = "pgkb.checksum";
    public static final String FORMAT_KEY = "pgkb.format";
}
