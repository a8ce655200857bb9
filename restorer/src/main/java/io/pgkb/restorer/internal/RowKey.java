package io.pgkb.restorer.internal;

import java.util.Arrays;

/**
 * Values (PostgreSQL text form) identifying a row: its key columns, or the whole row for tables without one.
 *
 * <p>A fold looks up every change's key in a map of up to a batch of keys, far more than the CPU caches hold, and
 * comparing two keys through their String arrays follows three pointers into cold memory (array, String, its
 * bytes): that was a third of the folding thread's time. So a key of one value of at most {@link #INLINE} Latin-1
 * characters (an integer, a short code: nearly every primary key) is also held inline, its characters packed into
 * two longs, and two such keys compare without leaving this object. The packing is exact (one byte per character,
 * with the length), so it decides equality exactly as {@link Arrays#equals} does ({@code RowKeyTest}).
 */
public final class RowKey {
    static final int INLINE = 16;
    private final String[] values;
    private final int hash;
    private final int inlineLength; // -1: not inline
    private final long inline0;
    private final long inline1;

    public RowKey(String[] values) {
        this.values = values;
        this.hash = Arrays.hashCode(values);
        String v = values.length == 1 ? values[0] : null;
        int n = v == null || v.length() > INLINE ? -1 : v.length();
        long a = 0;
        long b = 0;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c > 0xFF) {
                n = -1;
                break;
            }
            if (i < 8) {
                a |= (long) c << (8 * i);
            } else {
                b |= (long) c << (8 * (i - 8));
            }
        }
        this.inlineLength = n;
        this.inline0 = n < 0 ? 0 : a;
        this.inline1 = n < 0 ? 0 : b;
    }

    public static RowKey of(String[] row, int[] columns) {
        String[] v = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            v[i] = row[columns[i]];
        }
        return new RowKey(v);
    }

    public String[] values() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RowKey k) || k.hash != hash || k.inlineLength != inlineLength) {
            return false; // equal values are both inline or both not, with the same length
        }
        if (inlineLength >= 0) {
            return k.inline0 == inline0 && k.inline1 == inline1;
        }
        return Arrays.equals(k.values, values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
