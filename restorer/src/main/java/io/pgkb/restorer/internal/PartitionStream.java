package io.pgkb.restorer.internal;

import io.pgkb.schemas.Lsn;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchivedEntry;
import io.pgkb.store.catalog.SegmentRef;
import io.pgkb.store.catalog.SegmentStream;
import java.io.Closeable;
import java.util.Iterator;
import java.util.List;

/**
 * The records of one partition with offsets in {@code [from, to)} and {@code fromLsn <= commit_lsn <= toLsn}, each
 * offset once, read segment by segment (one open object at a time). Every object is read to its end, so its
 * checksum is proven; a damaged object throws (exit 3) and the caller discards what it built.
 */
final class PartitionStream implements Closeable {
    private final ObjectStore store;
    private final Iterator<SegmentRef> segments;
    private final long to;
    private final long fromLsn;
    private final long toLsn;
    private long next;
    private SegmentStream current;
    private ArchivedEntry head;

    PartitionStream(ObjectStore store, List<SegmentRef> segments, long from, long to, long fromLsn, long toLsn) {
        this.store = store;
        this.segments = segments.iterator();
        this.next = from;
        this.to = to;
        this.fromLsn = fromLsn;
        this.toLsn = toLsn;
        advance();
    }

    ArchivedEntry head() {
        return head;
    }

    /** Moves to the next wanted record; {@link #head()} is null at the end. */
    void advance() {
        head = null;
        while (next < to) {
            if (current == null) {
                if (!segments.hasNext()) {
                    return;
                }
                current = SegmentStream.open(store, segments.next());
            }
            ArchivedEntry e = current.next();
            if (e == null) {
                current.close();
                current = null;
                continue;
            }
            if (e.offset() < next) {
                continue;
            }
            if (e.offset() >= to) {
                next = to;
                break;
            }
            next = e.offset() + 1;
            if (Lsn.compare(e.commitLsn(), fromLsn) >= 0 && Lsn.compare(e.commitLsn(), toLsn) <= 0) {
                head = e;
                return;
            }
        }
        // read the rest of the last object too: its checksum is proven only at its end
        if (current != null) {
            current.drain();
        }
        close();
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
