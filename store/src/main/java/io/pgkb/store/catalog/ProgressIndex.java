package io.pgkb.store.catalog;

import io.pgkb.schemas.Lsn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What the progress records prove about the archive (README "Design"): where replay starts after a dump, up to
 * which offsets a target must be read, which points are named or unreachable, and the newest covered point.
 *
 * <p>Offsets in progress records list only the partitions written since the previous record, so every offset
 * answer here is cumulative: the highest next offset seen for a partition up to and including a record.
 */
public final class ProgressIndex {
    private final List<ProgressRecord> records;

    /** @param records in progress-topic order */
    public ProgressIndex(List<ProgressRecord> records) {
        this.records = List.copyOf(records);
    }

    public List<ProgressRecord> records() {
        return records;
    }

    /**
     * Per partition of {@code topic}, the first offset replay after dump D must read: next offsets as of the
     * newest CONFIRM with {@code confirmed_lsn <= D}. Partitions not listed there start at 0.
     */
    public Map<Integer, Long> replayStart(String topic, long dumpLsn) {
        int last = -1;
        for (int i = 0; i < records.size(); i++) {
            ProgressRecord r = records.get(i);
            if (r.kind() == ProgressRecord.Kind.CONFIRM && Lsn.compare(r.confirmedLsn(), dumpLsn) <= 0) {
                last = i;
            }
        }
        return cumulative(topic, last);
    }

    /**
     * Per partition of {@code topic}, the end (exclusive) of what a restore to T must read: cumulative next
     * offsets as of the first CONFIRM with {@code confirmed_lsn > T}; empty when no such record exists, i.e. the
     * archive does not (yet) prove that it holds every change up to T.
     */
    public Optional<Map<Integer, Long>> bound(String topic, long target) {
        int i = firstConfirmAfter(target);
        return i < 0 ? Optional.empty() : Optional.of(cumulative(topic, i));
    }

    /** True when some CONFIRM record has {@code confirmed_lsn > T}. */
    public boolean covers(long target) {
        return firstConfirmAfter(target) >= 0;
    }

    /** Named restore points, name → mark_lsn; a name used twice means its newest use. */
    public Map<String, Long> marks() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (ProgressRecord r : records) {
            if (r.kind() == ProgressRecord.Kind.MARK && r.mark() != null) {
                out.remove(r.mark());
                out.put(r.mark(), r.markLsn());
            }
        }
        return out;
    }

    /** The MARK record of the newest use of {@code name}. */
    public Optional<ProgressRecord> mark(String name) {
        ProgressRecord found = null;
        for (ProgressRecord r : records) {
            if (r.kind() == ProgressRecord.Kind.MARK && name.equals(r.mark())) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Ranges whose changes may be missing because the slot was lost: commit LSNs strictly between
     * {@code from_lsn} and the GAP record's {@code confirmed_lsn}.
     */
    public List<Gap> gaps() {
        List<Gap> out = new ArrayList<>();
        for (ProgressRecord r : records) {
            if (r.kind() == ProgressRecord.Kind.GAP) {
                out.add(new Gap(r.fromLsn(), r.confirmedLsn(), r.offset()));
            }
        }
        return out;
    }

    /** The first gap that a replay of the changes with {@code D <= commit_lsn <= T} would cross. */
    public Optional<Gap> gapCrossing(long dumpLsn, long target) {
        for (Gap g : gaps()) {
            if (Lsn.compare(dumpLsn, g.toLsn()) < 0 && Lsn.compare(target, g.fromLsn()) > 0) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    /** {@code --latest}: last_commit_lsn of the newest CONFIRM (empty when nothing is confirmed yet). */
    public OptionalLong latest() {
        for (int i = records.size() - 1; i >= 0; i--) {
            ProgressRecord r = records.get(i);
            if (r.kind() == ProgressRecord.Kind.CONFIRM && r.lastCommitLsn() != 0) {
                return OptionalLong.of(r.lastCommitLsn());
            }
        }
        return OptionalLong.empty();
    }

    /** The newest CONFIRM record, if any. */
    public Optional<ProgressRecord> newestConfirm() {
        for (int i = records.size() - 1; i >= 0; i--) {
            if (records.get(i).kind() == ProgressRecord.Kind.CONFIRM) {
                return Optional.of(records.get(i));
            }
        }
        return Optional.empty();
    }

    /** The oldest CONFIRM record, if any. */
    public Optional<ProgressRecord> oldestConfirm() {
        return records.stream().filter(r -> r.kind() == ProgressRecord.Kind.CONFIRM).findFirst();
    }

    /**
     * What the progress records say about time {@code t} (µs since the epoch), for {@code --to-time}: the last
     * commit they name at or before t, and per partition of {@code topic} the offset window in which other
     * commits at or before t can still hide (between that record and the first CONFIRM whose last commit is after
     * t). Empty when no CONFIRM names a commit after t: the archive cannot prove it holds all of t yet. The time a
     * progress record was written proves nothing here: the producer may confirm long after the commits.
     */
    public Optional<TimeWindow> timeWindow(long timeMicros, List<String> topics) {
        int before = -1;
        int after = -1;
        for (int i = 0; i < records.size(); i++) {
            ProgressRecord r = records.get(i);
            if (r.kind() != ProgressRecord.Kind.CONFIRM) {
                continue;
            }
            if (r.lastCommitLsn() != 0 && r.commitTimeMicros() <= timeMicros) {
                before = i;
            }
            if (r.lastCommitLsn() != 0 && r.commitTimeMicros() > timeMicros) {
                after = i;
                break;
            }
        }
        if (after < 0) {
            return Optional.empty();
        }
        long lastCommit = before < 0 ? 0L : records.get(before).lastCommitLsn();
        Map<String, Map<Integer, Long>> from = new LinkedHashMap<>();
        Map<String, Map<Integer, Long>> to = new LinkedHashMap<>();
        for (String topic : topics) {
            from.put(topic, cumulative(topic, before));
            to.put(topic, cumulative(topic, after));
        }
        return Optional.of(new TimeWindow(lastCommit, from, to, before < 0 ? null : records.get(before), records.get(after)));
    }

    /** Every partition of {@code topic} that any record names. */
    public Map<Integer, Long> partitions(String topic) {
        return cumulative(topic, records.size() - 1);
    }

    /**
     * Whether DDL capture was off for part of {@code from .. target}: among the progress records from the first
     * with {@code confirmed_lsn > from} through the one that proves {@code target}, any written without capture. Empty
     * when capture was on throughout; else says "off" or "not recorded" (records of producers before DDL capture).
     */
    public Optional<String> ddlCaptureOff(long from, long target) {
        int end = firstConfirmAfter(target);
        if (end < 0) {
            end = records.size() - 1;
        }
        boolean off = false;
        boolean unknown = false;
        for (int i = 0; i <= end; i++) {
            ProgressRecord r = records.get(i);
            if (Lsn.compare(r.confirmedLsn(), from) > 0 && r.ddlCaptureOff()) {
                off |= r.ddlCapture() != null;
                unknown |= r.ddlCapture() == null;
            }
        }
        if (!off && !unknown) {
            return Optional.empty();
        }
        return Optional.of(off ? "off" : "not recorded");
    }

    private int firstConfirmAfter(long target) {
        for (int i = 0; i < records.size(); i++) {
            ProgressRecord r = records.get(i);
            if (r.kind() == ProgressRecord.Kind.CONFIRM && Lsn.compare(r.confirmedLsn(), target) > 0) {
                return i;
            }
        }
        return -1;
    }

    private Map<Integer, Long> cumulative(String topic, int upToInclusive) {
        Map<Integer, Long> out = new TreeMap<>();
        for (int i = 0; i <= upToInclusive; i++) {
            for (ProgressRecord.PartitionOffset po : records.get(i).offsets()) {
                if (po.topic().equals(topic)) {
                    out.merge(po.partition(), po.nextOffset(), Math::max);
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Changes with commit_lsn strictly between the two LSNs may be missing; found at progress offset. */
    public record Gap(long fromLsn, long toLsn, long progressOffset) {
        @Override
        public String toString() {
            return "gap from " + Lsn.of(fromLsn) + " to " + Lsn.of(toLsn) + " (progress offset " + progressOffset + ")";
        }
    }

    /**
     * @param lastCommitLsn newest commit at or before t named by a progress record (0: none)
     * @param from          per topic and partition, first offset that may hold a later commit at or before t
     * @param to            per topic and partition, end (exclusive) of that window
     * @param before        the progress record naming lastCommitLsn (null: none)
     * @param after         the first CONFIRM proving that time passed t
     */
    public record TimeWindow(long lastCommitLsn, Map<String, Map<Integer, Long>> from, Map<String, Map<Integer, Long>> to,
                             ProgressRecord before, ProgressRecord after) {
    }
}
