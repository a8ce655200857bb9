package io.pgkb.archiver.internal;

import io.pgkb.schemas.segment.ArchivedRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that append records to open segments (compression and encoding), off the poll thread. Memory is
 * bounded: the poll thread waits while the builders hold more than {@link #MAX_BUILDING_BYTES} of records not yet
 * appended.
 */
public final class SegmentBuilders implements AutoCloseable {
    private static final long MAX_BUILDING_BYTES = 32L * 1024 * 1024;

    private final ExecutorService pool;
    /** Bytes of records handed to the builders and not yet appended. */
    private final AtomicLong building = new AtomicLong();
    /** Records put into an open segment (not yet durable); for benchmarks and monitoring. */
    private final AtomicLong recordsBuffered = new AtomicLong();

    public SegmentBuilders() {
        pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "pgkb-segment-builder");
            t.setDaemon(true);
            return t;
        });
    }

    /** Records taken into segments so far, durable or not (any thread). */
    public long recordsBuffered() {
        return recordsBuffered.get();
    }

    /** Hands the records appended to the partition's open segment since the last call to the builders, in order. */
    public void flush(PartitionState s) throws IOException {
        PartitionState.Batch batch = s.takePending();
        if (batch == null) {
            return;
        }
        recordsBuffered.addAndGet(batch.records().size()); // once per batch: the benchmark reads this counter all the time
        long batchBytes = batch.bytes();
        awaitRoom(batchBytes);
        building.addAndGet(batchBytes);
        s.chainAppend(() -> {
            try {
                for (ArchivedRecord a : batch.records()) {
                    batch.writer().append(a);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                building.addAndGet(-batchBytes);
            }
        }, pool);
    }

    /** Flushes the open segment's records and seals it. */
    public void seal(PartitionState s) throws IOException {
        flush(s);
        s.seal();
    }

    private void awaitRoom(long bytes) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (building.get() > 0 && building.get() + bytes > MAX_BUILDING_BYTES) {
            if (System.nanoTime() > deadline) {
                throw new IOException("segment builders made no progress for 60s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
