package io.pgkb.restorer.internal;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.SegmentRef;
import java.io.PrintStream;
import java.util.List;

/** What a restore will do, decided and proven before the target is touched. */
public record RestorePlan(long target, String how, List<TablePlan> tables) {

    /** Offsets {@code [from, to)} of one partition and the objects that hold them. */
    public record PartitionPlan(int partition, long from, long to, List<SegmentRef> segments) {
        public long records() {
            return to - from;
        }
    }

    public record TablePlan(TableTarget table, DumpRef dump, DumpManifest manifest, List<PartitionPlan> partitions) {
        public long records() {
            return partitions.stream().mapToLong(PartitionPlan::records).sum();
        }

        public long segmentCount() {
            return partitions.stream().mapToLong(p -> p.segments().size()).sum();
        }
    }

    public void print(PrintStream out) {
        out.println("restore to " + Lsn.of(target) + " (" + how + ")");
        for (TablePlan t : tables) {
            out.println("  " + t.table() + ": dump at " + t.dump().lsn() + " (" + t.manifest().rowCount() + " rows, taken "
                    + t.manifest().takenAt() + "), " + t.segmentCount() + " segment objects, changes with commit_lsn "
                    + t.dump().lsn() + " .. " + Lsn.of(target) + " among " + t.records() + " archived records");
        }
    }
}
