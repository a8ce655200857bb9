package io.pgkb.store.catalog;

import io.pgkb.schemas.PgkbException;
import io.pgkb.store.ObjectStore;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.NoSuchElementException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Streams the records of one segment object, one Avro block in memory at a time, and checks that the object is
 * what its key promises: offsets consecutive from the first to the last offset of its name. A damaged object
 * (bad block, failed decompression, wrong offsets) is an {@link PgkbException.ArchiveIncompleteException} naming
 * its key.
 */
public final class SegmentStream implements Closeable {
    private final ObjectStore store;
    private final SegmentRef ref;
    private final DataFileStream<GenericRecord> in;
    private long expected;
    private GenericRecord reuse;

    private SegmentStream(ObjectStore store, SegmentRef ref, DataFileStream<GenericRecord> in) {
        this.store = store;
        this.ref = ref;
        this.in = in;
        this.expected = ref.firstOffset();
    }

    public static SegmentStream open(ObjectStore store, SegmentRef ref) {
        InputStream raw;
        try {
            raw = store.open(ref.key());
        } catch (NoSuchFileException e) {
            throw new PgkbException.ArchiveIncompleteException("segment vanished while reading: " + store.describe(ref.key()));
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot read " + store.describe(ref.key()) + ": " + e.getMessage(), e);
        }
        try {
            return new SegmentStream(store, ref, new DataFileStream<>(new BufferedInputStream(raw, 1 << 16), new GenericDatumReader<>()));
        } catch (IOException | RuntimeException e) {
            closeQuietly(raw);
            throw corrupt(store, ref, e.getMessage());
        }
    }

    public SegmentRef ref() {
        return ref;
    }

    /** Next record, or null after the last one (which must be the last offset of the name). */
    public ArchivedEntry next() {
        try {
            if (!in.hasNext()) {
                if (expected != ref.lastOffset() + 1) {
                    throw corrupt(store, ref, "ends at offset " + (expected - 1) + ", name promises " + ref.lastOffset());
                }
                return null;
            }
            reuse = in.next(reuse);
        } catch (AvroRuntimeException | IOException | NoSuchElementException e) {
            throw corrupt(store, ref, e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof PgkbException) {
                throw e;
            }
            throw corrupt(store, ref, e.toString());
        }
        long offset = (Long) reuse.get("offset");
        if (offset != expected) {
            throw corrupt(store, ref, "holds offset " + offset + " where " + expected + " was expected");
        }
        expected++;
        return new ArchivedEntry(ref.partition(), offset, (Long) reuse.get("timestamp"), bytes(reuse.get("key")),
                bytes(reuse.get("value")), (Long) reuse.get("commit_lsn"), (Long) reuse.get("seq"));
    }

    /** Reads to the end, checking every block. */
    public long drain() {
        long n = 0;
        while (next() != null) {
            n++;
        }
        return n;
    }

    public String metadata(String name) {
        return in.getMetaString(name);
    }

    private static byte[] bytes(Object o) {
        if (o == null) {
            return null;
        }
        ByteBuffer b = ((ByteBuffer) o).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static PgkbException.ArchiveIncompleteException corrupt(ObjectStore store, SegmentRef ref, String why) {
        return new PgkbException.ArchiveIncompleteException("corrupt segment object " + store.describe(ref.key())
                + " (partition " + ref.partition() + ", offsets " + ref.firstOffset() + "-" + ref.lastOffset() + "): " + why);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        closeQuietly(in);
    }
}
