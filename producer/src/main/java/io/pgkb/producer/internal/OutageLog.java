package io.pgkb.producer.internal;

import io.pgkb.producer.Producer;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.Outage;
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
    private final long maxBackoffMs;
    private final Outage outage = new Outage();
    private long confirmedAtInterruption;

    public OutageLog(long maxBackoffMs) {
        this.maxBackoffMs = maxBackoffMs;
    }

    /** The session ended with {@code e}; the next attempt is in {@code backoffMs}. */
    public void interrupted(Exception e, long backoffMs, long confirmedLsn) {
        long now = System.nanoTime();
        switch (outage.failed(now)) {
            case STARTED -> {
                confirmedAtInterruption = confirmedLsn;
                log.warn("stream interrupted, restarting from the slot's confirmed position in {}ms: {}", backoffMs, Messages.firstLine(e));
            }
            case STILL -> log.warn("still waiting to stream for={} s, retrying every {}ms at most: {}", outage.seconds(now),
                    maxBackoffMs, Messages.firstLine(e));
            case NOTHING -> {
                // said less than a minute ago
            }
        }
    }

    /** The slot is confirmed at {@code confirmedLsn} now: after an interruption, a new position means resumed. */
    public void confirmed(long confirmedLsn) {
        if (outage.ongoing() && confirmedLsn != confirmedAtInterruption) {
            log.info("stream resumed: slot confirmed again after {} s", outage.ended(System.nanoTime()));
        }
    }
}
