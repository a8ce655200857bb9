package io.pgkb.restorer.internal;

/**
 * One decoded change, values in PostgreSQL text form (null = SQL NULL), indexed like {@link #shape()}.
 *
 * @param before    old row (old key columns, or the full old row under REPLICA IDENTITY FULL); null when absent
 * @param after     new row; null for DELETE and TRUNCATE
 * @param unchanged per column of {@code after}: true when the server did not send it (unchanged TOAST); null = none
 */
public record Change(Op op, long commitLsn, long seq, RowShape shape, String[] before, String[] after,
                     boolean[] unchanged) {

    public enum Op { INSERT, UPDATE, DELETE, TRUNCATE }

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
