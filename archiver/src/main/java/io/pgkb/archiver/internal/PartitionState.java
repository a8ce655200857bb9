package io.pgkb.archiver.internal;

import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentWriter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the poll thread knows about one assigned partition, as Kafka's {@code SubscriptionState.TopicPartitionState}:
 * the state is private and changes only through methods that keep its invariants. A new object per assignment: an
 * upload result whose state is no longer the current one for its partition belongs to a revoked assignment and is
 * discarded. Poll thread only.
 *
 * <p>Invariants: records are accepted in increasing offsets from {@link #nextOffset()}; at most one upload is in
 * flight; sealed segments wait in offset order; the partition is paused (in Kafka) exactly when {@link #paused()}
 * says so, and stays paused while a retry is pending.
 */
public final class PartitionState {
    private static final Logger log = LoggerFactory.getLogger(PartitionState.class);

    public enum Kind { TABLE, PROGRESS, SCHEMAS }

    /** @param fingerprint the {@code _schemas} key: a fingerprint, or {@code registry-<id>} (json: the fingerprint) */
    public record SchemaEntry(long offset, String fingerprint, byte[] json) {
    }

    /** A full segment: its records are appended once {@code built} completes. */
    public record Sealed(SegmentWriter writer, long first, long last, CompletableFuture<Void> built) {
    }

    /** Records appended to the open segment since the last hand-over to the builders. */
    public record Batch(SegmentWriter writer, List<ArchivedRecord> records, long bytes) {
    }

    private static final long NO_RETRY = Long.MIN_VALUE;

    private final TopicPartition tp;
    private final Kind kind;
    /** Store directory of this partition's segments ("" for SCHEMAS). */
    private final String segmentsDir;

    /**
     * The open segment. Its records are appended off the poll thread by tasks chained on {@link #chain} (one
     * partition's appends stay in order); the poll thread keeps the counters that decide the roll.
     */
    private SegmentWriter active;
    private long activeCount;
    private long activeBytes;
    private long activeFirst;
    private long activeLast;
    private long activeStartedNanos;
    private final List<ArchivedRecord> pending = new ArrayList<>();
    /** {@code SegmentWriter.sizeOf} summed over {@link #pending}. */
    private long pendingBytes;
    private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    /** Full segments waiting for the upload of an earlier one (on disk, in offset order). */
    private final ArrayDeque<Sealed> sealed = new ArrayDeque<>();
    private final List<SchemaEntry> schemaBuffer = new ArrayList<>();
    private Future<?> inFlight;
    private boolean paused;
    /** When a failed upload's records may be fetched again ({@link System#nanoTime} scale), or {@link #NO_RETRY}. */
    private long retryAtNanos = NO_RETRY;
    /** Next offset to append; records below it were archived already. */
    private long nextOffset = -1;

    public PartitionState(TopicPartition tp, Kind kind, String segmentsDir) {
        this.tp = tp;
        this.kind = kind;
        this.segmentsDir = segmentsDir;
    }

    public TopicPartition tp() {
        return tp;
    }

    public Kind kind() {
        return kind;
    }

    public String segmentsDir() {
        return segmentsDir;
    }

    public long nextOffset() {
        return nextOffset;
    }

    /** Where consumption starts on assignment. */
    public void startAt(long offset) {
        nextOffset = offset;
    }

    /** Takes the offset of a fetched record: false when it is already archived (below {@link #nextOffset()}). */
    public boolean accept(long offset) {
        if (offset < nextOffset) {
            return false;
        }
        nextOffset = offset + 1;
        return true;
    }

    // ---- the open segment ---------------------------------------------------------------------------------

    public boolean hasOpenSegment() {
        return active != null;
    }

    public void open(SegmentWriter writer, long firstOffset, long nowNanos) {
        if (active != null) {
            throw new IllegalStateException("a segment is already open for " + tp);
        }
        active = writer;
        activeStartedNanos = nowNanos;
        activeCount = 0;
        activeBytes = 0;
        activeFirst = firstOffset;
    }

    /** Adds a record of {@code size} bytes ({@code SegmentWriter.sizeOf}) to the open segment. */
    public void append(ArchivedRecord a, long size) {
        pending.add(a);
        pendingBytes += size;
        activeCount++;
        activeBytes += size;
        activeLast = a.offset();
    }

    public boolean isFull(long maxBytes, long maxRecords) {
        return activeBytes >= maxBytes || activeCount >= maxRecords;
    }

    /** The open segment has been open {@code maxAgeNanos} and nothing of this partition waits for an upload. */
    public boolean agedOut(long nowNanos, long maxAgeNanos) {
        return active != null && inFlight == null && sealed.isEmpty() && nowNanos - activeStartedNanos >= maxAgeNanos;
    }

    /** The records appended since the last call, for the builders; null when there are none. */
    public Batch takePending() {
        if (pending.isEmpty()) {
            return null;
        }
        Batch b = new Batch(active, new ArrayList<>(pending), pendingBytes);
        pending.clear();
        pendingBytes = 0;
        return b;
    }

    /** Runs {@code appendTask} after every append task already chained for this partition. */
    public void chainAppend(Runnable appendTask, Executor builders) {
        chain = chain.thenRunAsync(appendTask, builders);
    }

    /** Closes the open segment for appends; its pending records must have been taken ({@link #takePending()}). */
    public void seal() {
        if (!pending.isEmpty()) {
            throw new IllegalStateException("sealing " + tp + " with records not handed to the builders");
        }
        sealed.add(new Sealed(active, activeFirst, activeLast, chain));
        active = null;
    }

    // ---- uploads ------------------------------------------------------------------------------------------

    public boolean uploading() {
        return inFlight != null;
    }

    public Future<?> inFlight() {
        return inFlight;
    }

    /** The next sealed segment to upload, or null. */
    public Sealed nextSealed() {
        return sealed.poll();
    }

    public boolean hasSealed() {
        return !sealed.isEmpty();
    }

    public void addSchema(SchemaEntry e) {
        schemaBuffer.add(e);
    }

    /** The schemas buffered so far (emptied); an empty list when there are none. */
    public List<SchemaEntry> takeSchemas() {
        List<SchemaEntry> entries = List.copyOf(schemaBuffer);
        schemaBuffer.clear();
        return entries;
    }

    public void uploadStarted(Future<?> upload) {
        if (inFlight != null) {
            throw new IllegalStateException("an upload is already in flight for " + tp);
        }
        inFlight = upload;
    }

    public void uploadFinished() {
        inFlight = null;
    }

    // ---- pausing and retrying -----------------------------------------------------------------------------

    public boolean paused() {
        return paused;
    }

    /** Full segments wait for an upload: true when the partition must now be paused in Kafka. */
    public boolean pauseIfBacklogged() {
        if (sealed.isEmpty() || paused) {
            return false;
        }
        paused = true;
        return true;
    }

    /** No sealed segment waits and no retry is pending: true when the partition must now be resumed in Kafka. */
    public boolean resumeIfDrained() {
        if (!paused || !sealed.isEmpty() || retryAtNanos != NO_RETRY) {
            return false;
        }
        paused = false;
        return true;
    }

    /**
     * A failed upload: everything buffered is dropped, consumption restarts at {@code offset} once {@code
     * retryAtNanos} has come. True when the partition must now be paused in Kafka (the caller also seeks).
     */
    public boolean retryFrom(long offset, long retryAtNanos) {
        abandon();
        nextOffset = offset;
        this.retryAtNanos = retryAtNanos;
        if (paused) {
            return false;
        }
        paused = true;
        return true;
    }

    public boolean retryPending() {
        return retryAtNanos != NO_RETRY;
    }

    /** The retry time has come: true when the partition must now be resumed in Kafka (no upload in flight). */
    public boolean retryDue(long nowNanos) {
        if (retryAtNanos == NO_RETRY || nowNanos < retryAtNanos) {
            return false;
        }
        retryAtNanos = NO_RETRY;
        if (paused && inFlight == null) {
            paused = false;
            return true;
        }
        return false;
    }

    /** Drops the unuploaded segments; their writers close once the appends already queued are done. */
    public void abandon() {
        List<SegmentWriter> writers = new ArrayList<>();
        if (active != null) {
            writers.add(active);
            active = null;
        }
        for (Sealed x; (x = sealed.poll()) != null; ) {
            writers.add(x.writer());
        }
        pending.clear();
        pendingBytes = 0;
        schemaBuffer.clear();
        if (!writers.isEmpty()) {
            chain.whenComplete((v, e) -> writers.forEach(PartitionState::closeQuietly));
        }
        chain = CompletableFuture.completedFuture(null);
    }

    /** Closing an unfinished writer deletes its spool file. */
    public static void closeQuietly(SegmentWriter w) {
        try {
            w.close();
        } catch (IOException e) {
            log.warn("cannot delete spool file error={}", e.getMessage());
        }
    }
}
