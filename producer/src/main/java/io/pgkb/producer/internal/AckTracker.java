package io.pgkb.producer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The confirm rule (DESIGN §2.1): knows, per transaction in commit order, how many of its records Kafka has not
 * acknowledged yet, and releases the COMMIT end_lsn of the newest transaction whose records, and those of every
 * transaction before it, are all acknowledged. Counters only: memory grows with the number of transactions in
 * flight, never with their size. Thread-safe: sends happen on the replication thread, acks on Kafka's I/O thread.
 */
public final class AckTracker {

    /** A partition a record went to, with the offset Kafka gave it. */
    public record PartitionKey(String topic, int partition) {
    }

    /** One transaction in flight; the handle send callbacks report to. */
    public static final class Pending {
        private final Txn txn;
        private long outstanding;
        private boolean committed;
        private long endLsn;
        private Map<PartitionKey, Long> nextOffsets;
        private List<String> marks;

        Pending(Txn txn) {
            this.txn = txn;
        }

        public Txn txn() {
            return txn;
        }
    }

    /** What became confirmable since the last {@link #takeConfirmable()}. */
    public record Confirmable(long confirmedLsn, long lastCommitLsn, long commitTimeMicros,
                              Map<PartitionKey, Long> nextOffsets, List<Mark> marks) {
    }

    public record Mark(String name, long commitLsn, long commitTimeMicros) {
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long confirmedEnd;
    private long lastCommitLsn;
    private long lastCommitTime;
    private final Map<PartitionKey, Long> offsetsSinceTake = new HashMap<>();
    private final List<Mark> marksSinceTake = new ArrayList<>();
    private boolean advanced;
    private Exception failure;

    /** Starts a transaction. Transactions must be begun in commit order (the order pgoutput sends them). */
    public synchronized Pending begin(Txn txn) {
        Pending p = new Pending(txn);
        pending.addLast(p);
        return p;
    }

    /** Call before handing a record of {@code p} to Kafka. */
    public synchronized void sent(Pending p) {
        p.outstanding++;
    }

    /** Kafka acknowledged a record of {@code p} at {@code offset}. */
    public synchronized void acked(Pending p, String topic, int partition, long offset) {
        p.outstanding--;
        if (p.nextOffsets == null) {
            p.nextOffsets = new HashMap<>();
        }
        p.nextOffsets.merge(new PartitionKey(topic, partition), offset + 1, Math::max);
        advance();
    }

    /**
     * Kafka gave up on a record of {@code p}. The transaction never becomes confirmable, so nothing at or after it is
     * confirmed; the runtime restarts the stream from the slot.
     */
    public synchronized void failed(Pending p, Exception e) {
        if (failure == null) {
            failure = e;
        }
    }

    public synchronized Exception failure() {
        return failure;
    }

    public synchronized void mark(Pending p, String name) {
        if (p.marks == null) {
            p.marks = new ArrayList<>();
        }
        p.marks.add(name);
    }

    /** COMMIT seen: every record of p has been sent; {@code endLsn} is the position to confirm once acknowledged. */
    public synchronized void committed(Pending p, long endLsn) {
        p.committed = true;
        p.endLsn = endLsn;
        advance();
    }

    /** No transaction open or unacknowledged. */
    public synchronized boolean idle() {
        return pending.isEmpty();
    }

    public synchronized int inFlight() {
        return pending.size();
    }

    /** Highest end_lsn of the acknowledged prefix so far (0 before the first). */
    public synchronized long confirmedEnd() {
        return confirmedEnd;
    }

    /** The newly confirmable position and what came with it, or null when the prefix has not advanced. */
    public synchronized Confirmable takeConfirmable() {
        if (!advanced) {
            return null;
        }
        advanced = false;
        Confirmable c = new Confirmable(confirmedEnd, lastCommitLsn, lastCommitTime, Map.copyOf(offsetsSinceTake),
                List.copyOf(marksSinceTake));
        offsetsSinceTake.clear();
        marksSinceTake.clear();
        return c;
    }

    /** Writing the progress record of {@code c} failed: report it again with the next one. */
    public synchronized void putBack(Confirmable c) {
        c.nextOffsets().forEach((k, v) -> offsetsSinceTake.merge(k, v, Math::max));
        marksSinceTake.addAll(0, c.marks());
        advanced = true;
    }

    /** Drops transactions that will be re-read after a stream restart (their sends may still be acknowledged: ignored). */
    public synchronized void resetInFlight() {
        pending.clear();
        failure = null;
    }

    /**
     * A heartbeat (a non-transactional logical message the producer emitted) arrived at {@code lsn}: every
     * transaction that committed before it has been received, so once those are acknowledged {@code lsn} itself can
     * be confirmed. This is how an idle database, or one that writes only to unpublished tables, stops retaining WAL
     * (DESIGN §10). Keepalive positions are not used for this: they can run ahead of transactions not sent yet.
     */
    public synchronized void heartbeat(long lsn) {
        Pending p = new Pending(null);
        p.committed = true;
        p.endLsn = lsn;
        pending.addLast(p);
        advance();
    }

    /** Starts counting from the slot's confirmed position (after connecting). */
    public synchronized void startFrom(long slotConfirmed) {
        if (Long.compareUnsigned(slotConfirmed, confirmedEnd) > 0) {
            confirmedEnd = slotConfirmed;
        }
    }

    private void advance() {
        while (!pending.isEmpty()) {
            Pending head = pending.peekFirst();
            if (!head.committed || head.outstanding > 0 || failure != null) {
                return;
            }
            pending.removeFirst();
            if (head.nextOffsets != null) {
                head.nextOffsets.forEach((k, v) -> offsetsSinceTake.merge(k, v, Math::max));
            }
            if (head.marks != null) {
                for (String m : head.marks) {
                    marksSinceTake.add(new Mark(m, head.txn.commitLsn(), head.txn.commitTimeMicros()));
                }
            }
            if (Long.compareUnsigned(head.endLsn, confirmedEnd) > 0) {
                confirmedEnd = head.endLsn;
            }
            if (head.txn != null) {
                lastCommitLsn = head.txn.commitLsn();
                lastCommitTime = head.txn.commitTimeMicros();
            }
            advanced = true;
        }
    }
}
