package io.pgkb.restorer.internal;

import io.pgkb.store.catalog.ArchivedEntry;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads, verifies, decodes and folds a table's merged change stream on its own thread while the caller applies
 * the previous batch (and, before that, while the caller loads the dump), so the JVM's work overlaps with the
 * database's. Steps are handed over one at a time: at most two batches exist at once, the one being applied and
 * the one being folded.
 */
final class BatchPipe implements AutoCloseable {
    private static final Object END = new Object();
    private final BlockingQueue<Object> queue = new SynchronousQueue<>();
    private final Thread thread;
    private volatile long duplicates;
    private volatile long changes;
    private long waitNanos;
    private boolean ended;

    /** @param batcher makes the {@link Batcher} (on the reading thread) that hands its steps to the given sink */
    BatchPipe(Supplier<MergedStream> open, ChangeDecoding decoding, String table,
              Function<java.util.function.Consumer<Batcher.Step>, Batcher> batcher) {
        thread = new Thread(() -> {
            try (MergedStream merged = open.get()) {
                Batcher b = batcher.apply(step -> {
                    try {
                        queue.put(step);
                    } catch (InterruptedException e) {
                        throw new Interrupted();
                    }
                });
                long n = 0;
                for (ArchivedEntry e = merged.next(); e != null; e = merged.next()) {
                    b.accept(decoding.decode(e, table));
                    n++;
                }
                b.flush();
                duplicates = merged.duplicates();
                changes = n;
                queue.put(END);
            } catch (InterruptedException | Interrupted e) {
                Thread.currentThread().interrupt(); // the consumer gave up
            } catch (Throwable t) {
                try {
                    queue.put(t);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "restore-read-" + table);
        thread.setDaemon(true);
        thread.start();
    }

    /** Next step in order, or null at the end; rethrows what the reading thread failed with. */
    Batcher.Step next() throws InterruptedException {
        if (ended) {
            return null;
        }
        long t0 = System.nanoTime();
        Object o = queue.take();
        waitNanos += System.nanoTime() - t0;
        if (o == END) {
            ended = true;
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
        return (Batcher.Step) o;
    }

    /** Time the consumer spent waiting for the reading thread. */
    long waitNanos() {
        return waitNanos;
    }

    long duplicates() {
        return duplicates;
    }

    /** Changes read, valid after {@link #next()} returned null. */
    long changes() {
        return changes;
    }

    @Override
    public void close() {
        thread.interrupt();
        queue.poll();
    }

    /** Unwinds the reading thread when the consumer gave up while a step was being handed over. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }
}
