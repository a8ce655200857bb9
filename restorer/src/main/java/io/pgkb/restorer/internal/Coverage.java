package io.pgkb.restorer.internal;

import io.pgkb.store.catalog.SegmentRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Which segment objects of one partition cover the offsets {@code [from, to)}: the fewest objects in offset order
 * (overlapping objects hold identical records, so any one of them will do), and the offset ranges no object
 * covers.
 */
public record Coverage(List<SegmentRef> segments, List<long[]> missing) {

    public static Coverage of(List<SegmentRef> refs, long from, long to) {
        List<SegmentRef> chosen = new ArrayList<>();
        List<long[]> missing = new ArrayList<>();
        long pos = from;
        while (pos < to) {
            SegmentRef best = null;
            long nextStart = Long.MAX_VALUE;
            for (SegmentRef r : refs) {
                if (r.firstOffset() <= pos && r.lastOffset() >= pos) {
                    if (best == null || r.lastOffset() > best.lastOffset()) {
                        best = r;
                    }
                } else if (r.firstOffset() > pos) {
                    nextStart = Math.min(nextStart, r.firstOffset());
                }
            }
            if (best != null) {
                chosen.add(best);
                pos = best.lastOffset() + 1;
            } else {
                long end = Math.min(to, nextStart);
                missing.add(new long[] {pos, end - 1});
                pos = end;
            }
        }
        return new Coverage(chosen, missing);
    }

    public boolean complete() {
        return missing.isEmpty();
    }

    public static String describe(List<long[]> ranges) {
        List<String> parts = new ArrayList<>();
        for (long[] r : ranges) {
            parts.add(r[0] == r[1] ? Long.toString(r[0]) : r[0] + "-" + r[1]);
        }
        return String.join(", ", parts);
    }
}
