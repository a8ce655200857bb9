package io.pgkb.store.catalog;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentDdl;
import io.pgkb.schemas.segment.SegmentMetadata;
import io.pgkb.schemas.segment.SegmentReader;
import io.pgkb.store.ObjectStore;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * Streams the records of one segment object through {@link SegmentReader} (checksum, counts and offsets proven
 * at the end) and checks that the object is what its key promises: partition and offset range. A damaged object
 * is an {@link PgkbException.ArchiveIncompleteException} naming its key. Records are only proven once the
 * stream was read to its end.
 */
public final class SegmentStream implements Closeable {
    private final SegmentRef ref;
    private final SegmentReader reader;

    private SegmentStream(SegmentRef ref, SegmentReader reader) {
        this.ref = ref;
        this.reader = reader;
    }

    public static SegmentStream open(ObjectStore store, SegmentRef ref) {
        InputStream raw;
        try {
            raw = store.open(ref.key());
        } catch (NoSuchFileException e) {
            throw new PgkbException.ArchiveIncompleteException("segment object vanished: " + store.describe(ref.key()));
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot read " + store.describe(ref.key()) + ": " + e.getMessage(), e);
        }
        String where = store.describe(ref.key());
        SegmentReader reader;
        try {
            reader = new SegmentReader(new BufferedInputStream(raw, 1 << 16), where);
        } catch (RuntimeException e) {
            closeQuietly(raw);
            throw e;
        }
        SegmentMetadata m = reader.metadata();
        if (m.partition() != ref.partition() || m.firstOffset() != ref.firstOffset() || m.lastOffset() != ref.lastOffset()) {
            closeQuietly(reader);
            throw new PgkbException.ArchiveIncompleteException("corrupt segment object " + where + ": its metadata says partition "
                    + m.partition() + " offsets " + m.firstOffset() + "-" + m.lastOffset() + ", its key says partition "
                    + ref.partition() + " offsets " + ref.firstOffset() + "-" + ref.lastOffset());
        }
        return new SegmentStream(ref, reader);
    }

    /**
     * The DDL records the object's header lists ({@link SegmentReader#ddl()}; null: the header does not say), read
     * without its records.
     */
    public static List<SegmentDdl> ddl(ObjectStore store, SegmentRef ref) {
        try (SegmentStream s = open(store, ref)) {
            return s.reader.ddl();
        }
    }

    public SegmentRef ref() {
        return ref;
    }

    public SegmentMetadata metadata() {
        return reader.metadata();
    }

    /** Next record, or null after the last one once the whole object is proven. */
    public ArchivedEntry next() {
        ArchivedRecord r = reader.next();
        if (r == null) {
            return null;
        }
        return new ArchivedEntry(ref.partition(), r.offset(), r.timestamp(), r.key(), r.value(), r.commitLsn(), r.seq());
    }

    /** Next record with its headers, or null after the last one once the whole object is proven. */
    public ArchivedRecord nextRecord() {
        return reader.next();
    }

    /** Reads to the end, proving every record; returns the record count. */
    public long drain() {
        long n = 0;
        while (next() != null) {
            n++;
        }
        return n;
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
        closeQuietly(reader);
    }
}
