package io.pgkb.schemas;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When to tell the operator about a condition a component waits out instead of exiting (a broker, PostgreSQL, the
 * object store or the spool unavailable): one line when it starts, one a minute while it lasts, one when it ends. A
 * component retries every few seconds; a line per retry floods the log and hides the start of the outage, none at
 * all looks like a hang. The caller words the lines; this decides when, on the clock the caller passes (nanoseconds,
 * {@link System#nanoTime} scale), so tests can drive it. Not thread-safe: one per loop.
 */
public final class Outage {
    /** How often an outage that lasts is reported again. */
    public static final Duration REPORT_INTERVAL = Duration.ofMinutes(1);

    /** What the caller says now about a failure. */
    public enum Say {
        /** The first failure of an outage: say that it started, and that the component waits and retries. */
        STARTED,
        /** The outage lasts and a minute has passed since the last line: say it still waits, for how long. */
        STILL,
        /** Said recently: nothing. */
        NOTHING
    }

    private final long intervalNanos;
    private boolean ongoing;
    private long sinceNanos;
    private long lastLineNanos;

    public Outage() {
        this(REPORT_INTERVAL);
    }

    public Outage(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** A failure at {@code nowNanos}: whether and what to say. */
    public Say failed(long nowNanos) {
        if (!ongoing) {
            ongoing = true;
            sinceNanos = nowNanos;
            lastLineNanos = nowNanos;
            return Say.STARTED;
        }
        if (nowNanos - lastLineNanos >= intervalNanos) {
            lastLineNanos = nowNanos;
            return Say.STILL;
        }
        return Say.NOTHING;
    }

    /** True between the first failure and {@link #ended}. */
    public boolean ongoing() {
        return ongoing;
    }

    /** Whole seconds since the outage started (0 when there is none). */
    public long seconds(long nowNanos) {
        return ongoing ? TimeUnit.NANOSECONDS.toSeconds(nowNanos - sinceNanos) : 0;
    }

    /**
     * The condition is over (a success): how long it lasted in whole seconds, which the caller says in its "resumed"
     * line; -1 when there was no outage (nothing to say).
     */
    public long ended(long nowNanos) {
        if (!ongoing) {
            return -1;
        }
        long s = seconds(nowNanos);
        ongoing = false;
        return s;
    }
}
