package io.pgkb.archiver.internal;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SchemaTopicKeys;
import io.pgkb.schemas.segment.SegmentMetadata;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.ObjectStore;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment and schema uploads on their own threads, never the poll thread. Each upload ends in exactly one {@link
 * Result}, success or failure, which the poll thread takes with {@link #poll()}.
 */
public final class Uploads implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Uploads.class);

    /** The end of one upload: the offsets it covers and, when it failed, why. */
    public record Result(PartitionState state, long first, long last, long count, long bytes, Exception error) {
        static Result failed(PartitionState s, long first, long last, Throwable error) {
            return new Result(s, first, last, 0, 0, error instanceof Exception e ? e : new RuntimeException(error));
        }
    }

    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final ExecutorService pool;
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private final SegmentSchemas segmentSchemas;

    /** @param schemas the writer schemas of the records, put into the archive before each segment that names them */
    public Uploads(ObjectStore store, ArchiveLayout layout, SchemaResolver schemas, int threads) {
        this.store = store;
        this.layout = layout;
        this.segmentSchemas = new SegmentSchemas(store, layout, schemas);
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "pgkb-upload");
            t.setDaemon(true);
            return t;
        });
    }

    /** The next finished upload, or null. */
    public Result poll() {
        return results.poll();
    }

    /** Starts the next upload of a partition with none in flight: a sealed segment, or buffered schemas. */
    public void startNext(PartitionState s) {
        if (s.kind() == PartitionState.Kind.SCHEMAS) {
            List<PartitionState.SchemaEntry> entries = s.takeSchemas();
            if (!entries.isEmpty()) {
                startSchemas(s, entries);
            }
        } else {
            PartitionState.Sealed x = s.nextSealed();
            if (x != null) {
                startSegment(s, x);
            }
        }
    }

    private void startSchemas(PartitionState s, List<PartitionState.SchemaEntry> entries) {
        long first = entries.get(0).offset();
        long last = entries.get(entries.size() - 1).offset();
        s.uploadStarted(pool.submit(() -> {
            try {
                long bytes = 0;
                for (PartitionState.SchemaEntry e : entries) {
                    String key = SchemaTopicKeys.isRegistryId(e.fingerprint())
                            ? layout.registryId(SchemaTopicKeys.registryIdOf(e.fingerprint()))
                            : layout.schema(e.fingerprint());
                    bytes += segmentSchemas.put(key, e.json());
                }
                results.add(new Result(s, first, last, entries.size(), bytes, null));
            } catch (Exception e) {
                results.add(Result.failed(s, first, last, e));
            }
        }));
    }

    /** Uploads a sealed segment once its appends are built. */
    private void startSegment(PartitionState s, PartitionState.Sealed x) {
        SegmentWriter w = x.writer();
        String key = s.segmentsDir() + ArchiveLayout.segmentName(x.first(), x.last());
        s.uploadStarted(x.built().handleAsync((ignored, buildError) -> {
            if (buildError != null) {
                PartitionState.closeQuietly(w);
                results.add(Result.failed(s, x.first(), x.last(), buildError));
                return null;
            }
            try (w) {
                long schemaBytes = segmentSchemas.ensure(w); // before the segment: a reader must find its schemas
                try (ObjectStore.ObjectWriter out = store.create(key)) {
                    CountingStream counting = new CountingStream(out);
                    SegmentMetadata meta = w.finish(counting);
                    out.commit();
                    log.debug("segment written object={} records={} bytes={}", key, meta.count(), counting.count);
                    results.add(new Result(s, meta.firstOffset(), meta.lastOffset(), meta.count(),
                            counting.count + schemaBytes, null));
                }
            } catch (Exception e) {
                results.add(Result.failed(s, x.first(), x.last(), e));
            }
            return null;
        }, pool));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
