package io.pgkb.producer.internal;

import io.pgkb.schemas.Lsn;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirms the slot by the confirm rule (DESIGN §2.1, decided by {@link AckTracker}): progress first, then the slot.
 * The CONFIRM (and MARK) records of what became confirmable are sent without blocking the stream, and the slot is
 * confirmed once Kafka acknowledged them, so a confirmed LSN never lacks its progress record. At most one such
 * confirmation is in flight. Replication thread only, except {@link #confirmedLsn()}.
 */
public final class SlotConfirmer {
    private static final Logger log = LoggerFactory.getLogger(SlotConfirmer.class);

    /** A progress write in flight and the confirmation it carries. */
    private record Pending(AckTracker.Confirmable confirmable, List<Future<RecordMetadata>> writes) {
        /** Kafka answered every write (acknowledged or failed); {@link #confirm} tells which. */
        boolean written() {
            for (Future<RecordMetadata> f : writes) {
                if (!f.isDone()) {
                    return false;
                }
            }
            return true;
        }
    }

    private final AckTracker tracker;
    private final ProgressWriter progress;
    private Pending pending;
    private volatile long confirmedLsn;

    public SlotConfirmer(AckTracker tracker, ProgressWriter progress) {
        this.tracker = tracker;
        this.progress = progress;
    }

    /** The flush LSN last confirmed to the slot (any thread). */
    public long confirmedLsn() {
        return confirmedLsn;
    }

    /** The slot already existed and had confirmed {@code lsn}. */
    public void resumedAt(long lsn) {
        confirmedLsn = lsn;
    }

    /** A new replication session: a confirmation still in flight may have lost its progress record, so report it again. */
    public void reconnected() {
        if (pending != null) {
            tracker.putBack(pending.confirmable());
            pending = null;
        }
    }

    /** The progress records of the confirmation in flight are answered: the slot can be confirmed now. */
    public boolean progressWritten() {
        return pending != null && pending.written();
    }

    /**
     * Sends the progress records of what became confirmable (unless a confirmation is already in flight), then, once
     * Kafka acknowledged them, confirms the slot. Without {@code wait} it returns at once while they are unanswered;
     * with it, it waits up to 30 s. A failed progress write puts the confirmation back for later.
     */
    public void confirm(PGReplicationStream stream, boolean wait) throws SQLException {
        if (pending == null) {
            AckTracker.Confirmable c = tracker.takeConfirmable();
            if (c == null) {
                return;
            }
            List<Future<RecordMetadata>> writes = new ArrayList<>();
            for (AckTracker.Mark m : c.marks()) {
                writes.add(progress.mark(m, c.confirmedLsn()));
            }
            writes.add(progress.confirm(c));
            pending = new Pending(c, writes);
        }
        Pending p = pending;
        try {
            for (Future<RecordMetadata> f : p.writes()) {
                if (wait) {
                    f.get(30, TimeUnit.SECONDS);
                } else if (!f.isDone()) {
                    return;
                } else {
                    f.get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            pending = null;
            tracker.putBack(p.confirmable());
            log.warn("progress record not written, confirming later: {}", e.getCause() == null ? e.toString() : e.getCause().toString());
            return;
        }
        pending = null;
        AckTracker.Confirmable c = p.confirmable();
        for (AckTracker.Mark m : c.marks()) {
            log.info("mark recorded name={} mark_lsn={}", m.name(), Lsn.of(m.commitLsn()));
        }
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(c.confirmedLsn());
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        stream.forceUpdateStatus();
        confirmedLsn = c.confirmedLsn();
        ProducerMetrics.CONFIRMED_LSN.set((double) c.confirmedLsn());
        log.debug("confirmed lsn={} last_commit_lsn={}", lsn, Lsn.of(c.lastCommitLsn()));
    }
}
