package io.pgkb.producer.internal;

import io.pgkb.producer.Producer;
import io.pgkb.schemas.Messages;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator hears of a lost replication session: it is retried every few seconds for as long as it takes
 * (a broker or PostgreSQL outage is waited out, never a reason to exit), reported at once, then once a minute while it
 * lasts, and "resumed" once the slot is confirmed again (a session that starts may fail again).
 */
public final class OutageLog {
    /** Under the producer's name, as before this had a class of its own: operators' log filters keep matching. */
    private static final Logger log = LoggerFactory.getLogger(Producer.class);
    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final long maxBackoffMs;
    private long interruptedSince;
    private long lastReport;
    private long confirmedAtInterruption;

    public OutageLog(long maxBackoffMs) {
        this.maxBackoffMs = maxBackoffMs;
    }

    /** The session ended with {@code e}; the next attempt is in {@code backoffMs}. */
    public void interrupted(Exception e, long backoffMs, long confirmedLsn) {
        long now = System.nanoTime();
        if (interruptedSince == 0) {
            interruptedSince = now;
            confirmedAtInterruption = confirmedLsn;
            lastReport = now;
            log.warn("stream interrupted, restarting from the slot's confirmed position in {}ms: {}", backoffMs, Messages.firstLine(e));
        } else if (now - lastReport >= REPORT_EVERY_NANOS) {
            lastReport = now;
            log.warn("still waiting to stream for={} s, retrying every {}ms at most: {}",
                    TimeUnit.NANOSECONDS.toSeconds(now - interruptedSince), maxBackoffMs, Messages.firstLine(e));
        }
    }

    /** The slot is confirmed at {@code confirmedLsn} now: after an interruption, a new position means resumed. */
    public void confirmed(long confirmedLsn) {
        if (interruptedSince != 0 && confirmedLsn != confirmedAtInterruption) {
            log.info("stream resumed: slot confirmed again after {} s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - interruptedSince));
            interruptedSince = 0;
        }
    }
}
