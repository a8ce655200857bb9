package io.pgkb.store.catalog;

import java.util.List;

/**
 * One record of {@code <prefix>._progress} as read back from the archive (see Progress.avsc). LSNs are raw
 * unsigned values; compare them with {@link io.pgkb.schemas.Lsn#compare(long, long)}.
 *
 * @param offset           offset of this record in the progress topic (its order)
 * @param commitTimeMicros commit time of the transaction at {@code lastCommitLsn}
 * @param markLsn          MARK only, else 0
 * @param fromLsn          GAP only, else 0
 * @param writtenAtMicros  wall-clock time the producer wrote the record
 * @param ddlCapture       header {@code pgkb.ddl_capture}: {@code on}, {@code off}, or null when not recorded (a producer
 *                         before DDL capture existed, or a record read without its headers)
 */
public record ProgressRecord(long offset, Kind kind, long confirmedLsn, long lastCommitLsn, long commitTimeMicros,
                             List<PartitionOffset> offsets, String mark, long markLsn, long fromLsn, String slot,
                             long writtenAtMicros, String ddlCapture) {

    public ProgressRecord(long offset, Kind kind, long confirmedLsn, long lastCommitLsn, long commitTimeMicros,
                          List<PartitionOffset> offsets, String mark, long markLsn, long fromLsn, String slot,
                          long writtenAtMicros) {
        this(offset, kind, confirmedLsn, lastCommitLsn, commitTimeMicros, offsets, mark, markLsn, fromLsn, slot,
                writtenAtMicros, null);
    }

    /** True unless the record says DDL capture was on. */
    public boolean ddlCaptureOff() {
        return !io.pgkb.schemas.Headers.DDL_CAPTURE_ON.equals(ddlCapture);
    }

    public enum Kind { CONFIRM, MARK, GAP }

    /** Next offset of one table partition: every record below it was acknowledged by Kafka. */
    public record PartitionOffset(String topic, int partition, long nextOffset) {
    }

    public static ProgressRecord confirm(long offset, long confirmedLsn, long lastCommitLsn, long commitTimeMicros,
                                         List<PartitionOffset> offsets) {
        return new ProgressRecord(offset, Kind.CONFIRM, confirmedLsn, lastCommitLsn, commitTimeMicros, offsets, null, 0, 0, "", commitTimeMicros);
    }
}
