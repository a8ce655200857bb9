package io.pgkb.restorer.internal;

import io.pgkb.store.catalog.ArchivedEntry;
import java.io.Closeable;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges the partitions of a table into (commit_lsn, seq) order and drops every record whose order key is not
 * above the last one returned: re-sent duplicates after a producer crash, and the copy of a TRUNCATE that went to
 * every partition.
 */
final class MergedStream implements Closeable {
    private final PriorityQueue<PartitionStream> heads = new PriorityQueue<>((a, b) -> {
        ArchivedEntry x = a.head();
        ArchivedEntry y = b.head();
        int c = Change.compareOrder(x.commitLsn(), x.seq(), y.commitLsn(), y.seq());
        return c != 0 ? c : Integer.compare(x.partition(), y.partition());
    });
    private final List<PartitionStream> all;
    private boolean any;
    private long lastLsn;
    private long lastSeq;
    private long duplicates;

    MergedStream(List<PartitionStream> partitions) {
        this.all = partitions;
        for (PartitionStream p : partitions) {
            if (p.head() != null) {
                heads.add(p);
            }
        }
    }

    /** Next record in order, or null at the end. */
    ArchivedEntry next() {
        while (!heads.isEmpty()) {
            PartitionStream p = heads.poll();
            ArchivedEntry e = p.head();
            p.advance();
            if (p.head() != null) {
                heads.add(p);
            }
            if (any && Change.compareOrder(e.commitLsn(), e.seq(), lastLsn, lastSeq) <= 0) {
                duplicates++;
                continue;
            }
            any = true;
            lastLsn = e.commitLsn();
            lastSeq = e.seq();
            return e;
        }
        return null;
    }

    long duplicates() {
        return duplicates;
    }

    @Override
    public void close() {
        all.forEach(PartitionStream::close);
    }
}
