package io.pgkb.restorer.internal;

/**
 * Wall time per phase of one table's rebuild, for the {@code restore.table} log line: tells where a restore's time
 * goes without a profiler. Used by one thread (the table's applying thread).
 */
final class Phases {
    enum Phase { FIRST_FOLD, LOAD, INDEX, WAIT_READER, STAGE_COPY, ANALYZE, APPLY_SQL, COMMIT, OTHER }

    private final long[] nanos = new long[Phase.values().length];

    /** Adds the time since {@code startNanos} to {@code p}; returns now, to chain phases. */
    long add(Phase p, long startNanos) {
        long now = System.nanoTime();
        nanos[p.ordinal()] += now - startNanos;
        return now;
    }

    /** Sets {@code p} to what is left of {@code totalNanos} after every other phase (the applying thread's own Java work). */
    void rest(Phase p, long totalNanos) {
        long others = 0;
        for (Phase q : Phase.values()) {
            others += q == p ? 0 : nanos[q.ordinal()];
        }
        nanos[p.ordinal()] = Math.max(0, totalNanos - others);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Phase p : Phase.values()) {
            b.append(b.length() == 0 ? "" : " ").append(p.name().toLowerCase()).append("_ms=").append(nanos[p.ordinal()] / 1_000_000);
        }
        return b.toString();
    }
}
