package io.pgkb.restorer.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.store.catalog.ArchivedEntry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and verifies a table's merged change stream on one thread, folds it into batches on another, and shares the
 * decoding between the two (every other chunk each), while the caller applies the previous batch: the JVM's work
 * overlaps with the database's and is itself split in two. Bounded: at most {@code CHUNKS} chunks of {@code CHUNK}
 * records wait between the two threads, and steps are handed to the caller one at a time, so at most two batches
 * exist at once, the one being applied and the one being folded.
 */
final class BatchPipe implements AutoCloseable {
    private static final int CHUNK = 512;
    private static final int CHUNKS = 32;
    private static final Object END = new Object();
    private static final Logger log = LoggerFactory.getLogger(BatchPipe.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final BlockingQueue<Object> read = new ArrayBlockingQueue<>(CHUNKS);
    private final BlockingQueue<Object> steps = new SynchronousQueue<>();
    private final Thread reader;
    private final Thread folder;
    private volatile long duplicates;
    private volatile long changes;
    private volatile long readCpuNanos;
    private long waitNanos;
    private boolean ended;

    /** @param batcher makes the {@link Batcher} (on the folding thread) that hands its steps to the given sink */
    BatchPipe(Supplier<MergedStream> open, ChangeDecoding decoding, String table, Function<Consumer<Batcher.Step>, Batcher> batcher) {
        reader = start("restore-read-" + table, read, () -> {
            // decoding is shared: this thread decodes every other chunk with a decoder of its own (a decoder keeps
            // per-thread scratch state), the folding thread the rest; either alone was the pipeline's limit
            ChangeDecoding own = decoding.sibling();
            boolean decodeHere = false;
            try (MergedStream merged = open.get()) {
                List<Object> chunk = new ArrayList<>(CHUNK);
                for (ArchivedEntry e = merged.next(); e != null; e = merged.next()) {
                    chunk.add(decodeHere ? own.decodeAny(e, table) : e);
                    if (chunk.size() == CHUNK) {
                        read.put(chunk);
                        chunk = new ArrayList<>(CHUNK);
                        decodeHere = !decodeHere;
                    }
                }
                if (!chunk.isEmpty()) {
                    read.put(chunk);
                }
                duplicates = merged.duplicates();
            }
            readCpuNanos = THREADS.getCurrentThreadCpuTime();
        });
        folder = start("restore-fold-" + table, steps, () -> {
            Batcher b = batcher.apply(step -> {
                try {
                    steps.put(step);
                } catch (InterruptedException e) {
                    throw new Interrupted();
                }
            });
            long n = 0;
            for (List<Object> chunk = take(read); chunk != null; chunk = take(read)) {
                for (Object e : chunk) {
                    Object d = e instanceof ArchivedEntry a ? decoding.decodeAny(a, table) : e;
                    if (d instanceof Change c) {
                        b.accept(c);
                    } else {
                        b.ddl((DdlEvent) d);
                    }
                }
                n += chunk.size();
            }
            b.flush();
            changes = n;
            long foldCpu = THREADS.getCurrentThreadCpuTime();
            // CPU per thread: what the applying side may wait for, per change (see docs/restorer.md "Benchmark")
            log.info("restore.pipe table={} changes={} read_cpu_ms={} fold_cpu_ms={} read_ns_per_change={} fold_ns_per_change={}",
                    table, n, readCpuNanos / 1_000_000, foldCpu / 1_000_000, n == 0 ? 0 : readCpuNanos / n, n == 0 ? 0 : foldCpu / n);
        });
    }

    private interface Work {
        void run() throws Exception;
    }

    /** Runs {@code work}, then puts END into {@code out}, or what it failed with. */
    private static Thread start(String name, BlockingQueue<Object> out, Work work) {
        Thread t = new Thread(() -> {
            try {
                work.run();
                out.put(END);
            } catch (InterruptedException | Interrupted e) {
                Thread.currentThread().interrupt(); // the consumer gave up
            } catch (Throwable x) {
                try {
                    out.put(x);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The next item of {@code q}, null at END; rethrows what its producing thread failed with. */
    @SuppressWarnings("unchecked")
    private static <T> T take(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.take();
        if (o == END) {
            return null;
        }
        if (o instanceof RuntimeException r) {
            throw r;
        }
        if (o instanceof Error err) {
            throw err;
        }
        if (o instanceof Throwable t) {
            throw new IllegalStateException(t);
        }
        return (T) o;
    }

    /** Next step in order, or null at the end; rethrows what the reading or folding thread failed with. */
    Batcher.Step next() throws InterruptedException {
        if (ended) {
            return null;
        }
        long t0 = System.nanoTime();
        Batcher.Step s = take(steps);
        waitNanos += System.nanoTime() - t0;
        ended = s == null;
        return s;
    }

    /** Time the caller spent waiting for the reading and folding threads. */
    long waitNanos() {
        return waitNanos;
    }

    /** Duplicates dropped, valid after {@link #next()} returned null. */
    long duplicates() {
        return duplicates;
    }

    /** Changes read, valid after {@link #next()} returned null. */
    long changes() {
        return changes;
    }

    @Override
    public void close() {
        folder.interrupt();
        reader.interrupt();
    }

    /** Unwinds the folding thread when the caller gave up while a step was being handed over. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }
}
