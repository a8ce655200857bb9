package io.pgkb.restorer.internal;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchivedEntry;
import java.io.Closeable;
import java.util.Iterator;
import java.util.List;

/**
 * The records of one partition with offsets in {@code [from, to)} and {@code fromLsn <= commit_lsn <= toLsn}, each
 * offset once, read piece by piece (one open segment object or Kafka range at a time). Every object is read to its
 * end, so its checksum is proven; a damaged object throws (exit 3) and the caller discards what it built.
 */
final class PartitionStream implements Closeable {
    private final Sources sources;
    private final TableId table;
    private final int partition;
    private final Iterator<Piece> pieces;
    private final long to;
    private final long fromLsn;
    private final long toLsn;
    private long next;
    private RecordSource current;
    private ArchivedEntry head;

    PartitionStream(Sources sources, TableId table, int partition, List<Piece> pieces, long from, long to, long fromLsn, long toLsn) {
        this.sources = sources;
        this.table = table;
        this.partition = partition;
        this.pieces = pieces.iterator();
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
                if (!pieces.hasNext()) {
                    return;
                }
                current = sources.open(table, partition, pieces.next());
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
            current.finish();
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
