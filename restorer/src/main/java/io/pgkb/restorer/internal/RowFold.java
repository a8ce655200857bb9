package io.pgkb.restorer.internal;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Net change of a batch for a table without a primary key (REPLICA IDENTITY FULL): a multiset delta of whole rows.
 * A DELETE removes one row equal to the old row, an INSERT adds one, an UPDATE does both. As long as the stream
 * is consistent the order inside a batch does not matter: +n means insert n copies, -n delete n matching rows.
 */
public final class RowFold {
    private final int width;
    private final Map<RowKey, long[]> delta = new LinkedHashMap<>();

    public RowFold(int width) {
        this.width = width;
    }

    public int size() {
        return delta.size();
    }

    public Collection<Map.Entry<RowKey, long[]>> entries() {
        return delta.entrySet();
    }

    public void clear() {
        delta.clear();
    }

    public void add(Change c) {
        switch (c.op()) {
            case INSERT -> bump(full(c, c.after(), null, true), 1);
            case DELETE -> bump(full(c, c.before(), null, false), -1);
            case UPDATE -> {
                String[] before = full(c, c.before(), null, false);
                bump(before, -1);
                bump(full(c, c.after(), before, true), 1);
            }
            default -> throw new IllegalArgumentException("not foldable: " + c.op());
        }
    }

    private void bump(String[] row, long n) {
        RowKey k = new RowKey(row);
        long[] v = delta.computeIfAbsent(k, x -> new long[1]);
        v[0] += n;
        if (v[0] == 0) {
            delta.remove(k);
        }
    }

    private String[] full(Change c, String[] row, String[] fillFrom, boolean isAfter) {
        if (row == null || row.length != width) {
            throw KeyFold.inconsistent(c, "a table without primary key needs REPLICA IDENTITY FULL (old row missing)");
        }
        if (!isAfter || !c.hasUnchanged()) {
            return row;
        }
        if (fillFrom == null) {
            throw KeyFold.inconsistent(c, "unchanged columns without the full old row");
        }
        String[] out = row.clone();
        for (int i = 0; i < width; i++) {
            if (c.isUnchanged(i)) {
                out[i] = fillFrom[i];
            }
        }
        return out;
    }
}
