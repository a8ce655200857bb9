package io.pgkb.restorer.internal;

import io.pgkb.store.catalog.ArchivedEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;

/**
 * Reads, verifies and decodes a table's merged change stream on its own thread while the caller applies, so
 * decoding overlaps with the database's work. Bounded: at most {@code CHUNKS} chunks of {@code CHUNK} changes wait.
 */
final class ChangePipe implements AutoCloseable {
    private static final int CHUNK = 512;
    private static final int CHUNKS = 32;
    private static final Object END = new Object();
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(CHUNKS);
    private final Thread thread;
    private volatile long duplicates;
    private List<Change> current = List.of();
    private int pos;
    private boolean ended;

    ChangePipe(Supplier<MergedStream> open, ChangeDecoding decoding, String table) {
        thread = new Thread(() -> {
            try (MergedStream merged = open.get()) {
                List<Change> chunk = new ArrayList<>(CHUNK);
                for (ArchivedEntry e = merged.next(); e != null; e = merged.next()) {
                    chunk.add(decoding.decode(e, table));
                    if (chunk.size() == CHUNK) {
                        queue.put(chunk);
                        chunk = new ArrayList<>(CHUNK);
                    }
                }
                if (!chunk.isEmpty()) {
                    queue.put(chunk);
                }
                duplicates = merged.duplicates();
                queue.put(END);
            } catch (InterruptedException e) {
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

    /** Next change in order, or null at the end; rethrows what the reading thread failed with. */
    @SuppressWarnings("unchecked")
    Change next() throws InterruptedException {
        while (pos >= current.size()) {
            if (ended) {
                return null;
            }
            Object o = queue.take();
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
            current = (List<Change>) o;
            pos = 0;
        }
        return current.get(pos++);
    }

    long duplicates() {
        return duplicates;
    }

    @Override
    public void close() {
        thread.interrupt();
        queue.clear();
    }
}
