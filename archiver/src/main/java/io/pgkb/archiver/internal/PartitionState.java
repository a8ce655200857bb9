package io.pgkb.archiver.internal;

import io.pgkb.schemas.segment.SegmentWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;

/**
 * What the poll thread knows about one assigned partition. A new object per assignment: an upload result
 * whose state is no longer the current one for its partition belongs to a revoked assignment and is discarded.
 */
public final class PartitionState {
    public enum Kind { TABLE, PROGRESS, SCHEMAS }

    public record SchemaEntry(long offset, String fingerprint, byte[] json) {
    }

    public final TopicPartition tp;
    public final Kind kind;
    /** Store directory of this partition's segments ("" for SCHEMAS). */
    public final String segmentsDir;
    /** A full segment: its records are appended once {@code built} completes. */
    public record Sealed(SegmentWriter writer, long first, long last, java.util.concurrent.CompletableFuture<Void> built) {
    }

    /**
     * The open segment. Its records are appended off the poll thread by tasks chained on {@link #chain} (one
     * partition's appends stay in order); the poll thread keeps the counters that decide the roll.
     */
    public SegmentWriter active;
    public long activeCount;
    public long activeBytes;
    public long activeFirst;
    public long activeLast;
    public final List<io.pgkb.schemas.segment.ArchivedRecord> pending = new ArrayList<>();
    /** {@code SegmentWriter.sizeOf} summed over {@link #pending}. */
    public long pendingBytes;
    public java.util.concurrent.CompletableFuture<Void> chain = java.util.concurrent.CompletableFuture.completedFuture(null);
    /** Full segments waiting for the upload of an earlier one (on disk, in offset order). */
    public final java.util.ArrayDeque<Sealed> sealed = new java.util.ArrayDeque<>();
    public long activeStartedNanos;
    public final List<SchemaEntry> schemaBuffer = new ArrayList<>();
    public Future<?> inFlight;
    public boolean paused;
    /** Next offset to append; records below it were archived already. */
    public long nextOffset = -1;

    public PartitionState(TopicPartition tp, Kind kind, String segmentsDir) {
        this.tp = tp;
        this.kind = kind;
        this.segmentsDir = segmentsDir;
    }

    public boolean hasBuffered() {
        return active != null || !sealed.isEmpty() || !schemaBuffer.isEmpty();
    }
}
