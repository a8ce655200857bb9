package io.pgkb.restorer.internal;

import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.ddl.TableDefinition;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.SegmentRef;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
            List<String> parts = new ArrayList<>();
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

    /** A DDL record the plan covers: a definition change the restore replays (or, a rewrite, refuses). */
    public record Ddl(long commitLsn, long seq, String commandTag, boolean rewrite, boolean dropped) {
        String describe() {
            return Lsn.of(commitLsn) + " " + commandTag + (rewrite ? " (rewrote the table)" : "") + (dropped ? " (table dropped)" : "");
        }

        Map<String, Object> toJson() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("commit_lsn", Lsn.of(commitLsn).toString());
            d.put("seq", seq);
            d.put("command_tag", commandTag);
            d.put("rewrite", rewrite);
            d.put("dropped", dropped);
            return d;
        }
    }

    /**
     * @param dumps         every dump of the table, oldest first (a rewrite names the first one after it)
     * @param ddl           the DDL records between the dump and T, in stream order (DdlListing)
     * @param ddlCaptureOff null when DDL capture was on from the dump to T, else "off" or "not recorded"
     */
    public record TablePlan(TableTarget table, DumpRef dump, DumpManifest manifest, List<PartitionPlan> partitions,
                            List<DumpRef> dumps, List<Ddl> ddl, String ddlCaptureOff) {
        /**
         * The table's definition at the dump (docs/definitions.md), null for dumps taken before definitions were
         * recorded (restored with columns and primary key only, as before). The definition of the newest DDL record
         * applied (ChangeApplier.lastDdl) supersedes it: that is the definition at T.
         */
        public TableDefinition definition() {
            return manifest.definition();
        }

        public long records() {
            return partitions.stream().mapToLong(PartitionPlan::records).sum();
        }

        public long segmentCount() {
            return partitions.stream().mapToLong(p -> p.segments().size()).sum();
        }
    }

    /** The plan as the JSON of {@code restore --json}: T, and per table its dump, segment objects and records. */
    public Map<String, Object> toJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("target_lsn", Lsn.of(target).toString());
        doc.put("how", how);
        List<Map<String, Object>> list = new ArrayList<>();
        for (TablePlan t : tables) {
            Map<String, Object> td = new LinkedHashMap<>();
            td.put("table", t.table().source().toString());
            td.put("target", t.table().target().toString());
            td.put("dump", Map.of("lsn", t.dump().lsn().toString(), "rows", t.manifest().rowCount(), "taken_at", t.manifest().takenAt()));
            td.put("segments", t.segmentCount());
            td.put("records", t.records());
            List<Map<String, Object>> parts = new ArrayList<>();
            for (PartitionPlan p : t.partitions()) {
                Map<String, Object> pd = new LinkedHashMap<>();
                pd.put("partition", p.partition());
                pd.put("from_offset", p.from());
                pd.put("to_offset", p.to());
                pd.put("segments", p.segments().size());
                pd.put("kafka_records", p.kafka().stream().mapToLong(r -> r[1] - r[0] + 1).sum());
                parts.add(pd);
            }
            td.put("partitions", parts);
            td.put("ddl", t.ddl().stream().map(Ddl::toJson).toList());
            td.put("ddl_capture", t.ddlCaptureOff() == null ? "on" : t.ddlCaptureOff());
            list.add(td);
        }
        doc.put("tables", list);
        return doc;
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
            if (!t.ddl().isEmpty()) {
                out.println("    definition changes replayed (" + t.ddl().size() + "):");
                t.ddl().forEach(d -> out.println("      " + d.describe()));
            }
            if (t.ddlCaptureOff() != null) {
                out.println("    DDL capture was " + t.ddlCaptureOff() + " for part of " + t.dump().lsn() + " .. " + Lsn.of(target)
                        + ": a DDL with no later change to the table is not in this restore (rows are exact; the columns "
                        + "are those the changes show)");
            }
        }
    }
}
