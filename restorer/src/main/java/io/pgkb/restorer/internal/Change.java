package io.pgkb.restorer.internal;

/**
 * One decoded change, values in PostgreSQL text form (null = SQL NULL), indexed like {@link #shape()}.
 *
 * @param before    old row (old key columns, or the full old row under REPLICA IDENTITY FULL); null when absent
 * @param after     new row; null for DELETE and TRUNCATE. With {@code lazyAfter}, only its key columns are set here
 *                  and {@link #after()} decodes the whole row from the record's bytes
 * @param unchanged per column of {@code after}: true when the server did not send it (unchanged TOAST); null = none
 * @param lazyAfter the new row kept undecoded (only for a change with no unchanged column); null when {@code after} is whole
 */
public record Change(Op op, long commitLsn, long seq, RowShape shape, String[] before, String[] after,
                     boolean[] unchanged, LazyRow lazyAfter) {

    public enum Op { INSERT, UPDATE, DELETE, TRUNCATE }

    public Change(Op op, long commitLsn, long seq, RowShape shape, String[] before, String[] after, boolean[] unchanged) {
        this(op, commitLsn, seq, shape, before, after, unchanged, null);
    }

    /** The whole new row; decodes it (again, on every call) when it was kept undecoded. */
    @Override
    public String[] after() {
        return lazyAfter != null ? lazyAfter.values() : after;
    }

    /** The new row as far as decoded: every column, or only the key columns when {@link #lazyAfter()} is set. */
    String[] afterKeys() {
        return after;
    }

    /** Estimated heap the change's values take (see {@link KeyFold#heapBytes}), without decoding a lazy row. */
    long heapBytes() {
        return (lazyAfter != null ? lazyAfter.heapBytes() : KeyFold.heapBytes(after)) + KeyFold.heapBytes(before);
    }

    public boolean isUnchanged(int column) {
        return unchanged != null && unchanged[column];
    }

    public boolean hasUnchanged() {
        if (unchanged != null) {
            for (boolean u : unchanged) {
                if (u) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Order key of README "Design": (commit_lsn unsigned, seq). */
    public static int compareOrder(long lsnA, long seqA, long lsnB, long seqB) {
        int c = Long.compareUnsigned(lsnA, lsnB);
        return c != 0 ? c : Long.compare(seqA, seqB);
    }
}
