package io.pgkb.restorer.internal;

import io.pgkb.store.catalog.SegmentRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the offsets {@code [from, to)} of one partition come from, in offset order: the fewest segment objects
 * (overlapping objects hold identical records, so any one of them will do), then, for what no object covers, the
 * topic itself when Kafka still holds it ({@link #withKafka}); the rest is missing.
 */
public record Coverage(List<Piece> pieces) {

    public static Coverage of(List<SegmentRef> refs, long from, long to) {
        List<Piece> out = new ArrayList<>();
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
                out.add(new Piece.Archived(best));
                pos = best.lastOffset() + 1;
            } else {
                long end = Math.min(to, nextStart);
                out.add(new Piece.Missing(pos, end - 1));
                pos = end;
            }
        }
        return new Coverage(List.copyOf(out));
    }

    /**
     * What the archive lacks taken from Kafka where the partition still holds it: offsets in {@code [logStart, end)}.
     * Offsets below the log start offset were dropped by retention (or deleteRecords) and stay missing.
     */
    public Coverage withKafka(long logStart, long end) {
        List<Piece> out = new ArrayList<>();
        for (Piece p : pieces) {
            if (!(p instanceof Piece.Missing m)) {
                out.add(p);
                continue;
            }
            long a = m.first();
            if (a < logStart) {
                long b = Math.min(m.last(), logStart - 1);
                out.add(new Piece.Missing(a, b));
                a = b + 1;
            }
            if (a <= m.last() && a < end) {
                long b = Math.min(m.last(), end - 1);
                out.add(new Piece.Kafka(a, b));
                a = b + 1;
            }
            if (a <= m.last()) {
                out.add(new Piece.Missing(a, m.last()));
            }
        }
        return new Coverage(List.copyOf(out));
    }

    public List<SegmentRef> segments() {
        return pieces.stream().filter(p -> p instanceof Piece.Archived).map(p -> ((Piece.Archived) p).ref()).toList();
    }

    public List<long[]> missing() {
        return ranges(Piece.Missing.class);
    }

    public List<long[]> kafka() {
        return ranges(Piece.Kafka.class);
    }

    private List<long[]> ranges(Class<? extends Piece> kind) {
        return pieces.stream().filter(kind::isInstance).map(p -> new long[] {p.first(), p.last()}).toList();
    }

    public boolean complete() {
        return missing().isEmpty();
    }

    public static String describe(List<long[]> ranges) {
        List<String> parts = new ArrayList<>();
        for (long[] r : ranges) {
            parts.add(r[0] == r[1] ? Long.toString(r[0]) : r[0] + "-" + r[1]);
        }
        return String.join(", ", parts);
    }
}
