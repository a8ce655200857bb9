package io.pgkb.restorer.internal;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.SegmentRef;
import java.io.PrintStream;
import java.util.List;

/** What a restore will do, decided and proven before the target is touched. */
public record RestorePlan(long target, String how, List<TablePlan> tables) {

    /** Offsets {@code [from, to)} of one partition and where they come from, in offset order. */
    public record PartitionPlan(int partition, long from, long to, List<Piece> pieces) {
        public long records() {
            return to - from;
        }

        public List<SegmentRef> segments() {
            return new Coverage(pieces).segments();
        }

        /** Offset ranges read from Kafka, {@code [first, last]}. */
        public List<long[]> kafka() {
            return new Coverage(pieces).kafka();
        }

        /** "0-99 from the archive (2 segment objects), 100-140 from Kafka" */
        String describe() {
            if (from >= to) {
                return "no records";
            }
            List<String> parts = new java.util.ArrayList<>();
            int objects = 0;
            long runStart = -1;
            long runEnd = -1;
            for (Piece p : pieces) {
                long a = Math.max(p.first(), from);
                long b = Math.min(p.last(), to - 1);
                if (p instanceof Piece.Archived) {
                    runStart = runStart < 0 ? a : runStart;
                    runEnd = b;
                    objects++;
                    continue;
                }
                if (objects > 0) {
                    parts.add(runStart + "-" + runEnd + " from the archive (" + objects + " segment objects)");
                    objects = 0;
                    runStart = -1;
                }
                parts.add(a + "-" + b + " from Kafka");
            }
            if (objects > 0) {
                parts.add(runStart + "-" + runEnd + " from the archive (" + objects + " segment objects)");
            }
            return String.join(", ", parts);
        }
    }

    /**
     * @param dumps every dump of the table, oldest first (a rewrite names the first one after it)
     */
    public record TablePlan(TableTarget table, DumpRef dump, DumpManifest manifest, List<PartitionPlan> partitions,
                            List<DumpRef> dumps, String ddlCaptureOff) {
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
                    + t.dump().lsn() + " .. " + Lsn.of(target) + " among " + t.records() + " records");
            for (PartitionPlan p : t.partitions()) {
                out.println("    partition " + p.partition() + ": offsets " + p.describe());
            }
            if (t.ddlCaptureOff() != null) {
                out.println("    DDL capture was " + t.ddlCaptureOff() + " for part of " + t.dump().lsn() + " .. " + Lsn.of(target)
                        + ": a DDL with no later change to the table is not in this restore (rows are exact; the columns "
                        + "are those the changes show)");
            }
        }
    }
}
