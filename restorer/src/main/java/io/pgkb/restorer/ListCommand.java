package io.pgkb.restorer;

import io.pgkb.restorer.internal.KafkaTail;
import io.pgkb.restorer.internal.RefusedSpans;
import io.pgkb.restorer.internal.TailProgress;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.schemas.ui.JsonReport;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.ArchiveSchemas;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.ProgressIndex;
import io.pgkb.store.catalog.ProgressRecord;
import io.pgkb.store.catalog.SegmentRef;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgkb list}: restore points per table (dumps, covered LSN and time range, the spans restore refuses) and marks. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List restore points: per table its dumps and the LSN/time range a restore can reach (with "
                + "--bootstrap-servers also with the tail still in Kafka, and per partition the offsets each holds), and the marks. "
                + "Points after a DDL that rewrote or dropped a table, until its next dump, are shown as not restorable. "
                + "Reads keys, progress records and segment headers only; use verify to read every object.")
public final class ListCommand implements Callable<Integer> {
    @Mixin
    ArchiveSelection selection = new ArchiveSelection();

    @Mixin
    KafkaTailOptions kafka = new KafkaTailOptions();

    @Option(names = "--json", description = "Print JSON instead of a table")
    boolean json;

    PrintStream out = System.out;

    public void validate() {
        selection.validate();
        kafka.validate();
    }

    @Override
    public Integer call() throws Exception {
        validate();
        try (ObjectStore s = selection.store().openArchive(selection.topicPrefix(), false); KafkaTail tail = kafka.open(selection.topicPrefix())) {
            ArchiveCatalog catalog = selection.catalog(s);
            TailProgress both = TailProgress.load(catalog, tail);
            ProgressIndex progress = both.archived();
            ProgressRecord newestWithKafka = both.all().newestConfirm().orElse(null);
            List<TableId> list = selection.tables(catalog);
            Map<String, Object> doc = new LinkedHashMap<>();
            List<Map<String, Object>> tableDocs = new ArrayList<>();
            ProgressRecord newest = progress.newestConfirm().orElse(null);
            SchemaResolver schemas = TailProgress.schemas(new ArchiveSchemas(s, new ArchiveLayout(selection.topicPrefix())), tail);
            for (TableId t : list) {
                Map<String, Object> td = new LinkedHashMap<>();
                td.put("table", t.qualified());
                List<Map<String, Object>> dumps = new ArrayList<>();
                for (DumpRef d : catalog.dumps(t)) {
                    Map<String, Object> dd = new LinkedHashMap<>();
                    dd.put("lsn", d.lsn().toString());
                    try {
                        DumpManifest m = DumpManifest.fromJson(s.get(d.manifestKey()), s.describe(d.manifestKey()));
                        dd.put("taken_at", m.takenAt());
                        dd.put("rows", m.rowCount());
                        dd.put("bytes", m.dataBytes());
                    } catch (PgkbException e) {
                        dd.put("error", e.getMessage());
                    }
                    dumps.add(dd);
                }
                td.put("dumps", dumps);
                long segments = catalog.segments(t).values().stream().mapToLong(List::size).sum();
                td.put("segments", segments);
                td.put("partitions", catalog.segments(t).keySet());
                if (!dumps.isEmpty() && newest != null && newest.lastCommitLsn() != 0) {
                    Map<String, Object> range = new LinkedHashMap<>();
                    range.put("from_lsn", dumps.get(0).get("lsn"));
                    range.put("from_time", dumps.get(0).get("taken_at"));
                    range.put("to_lsn", Lsn.of(newest.lastCommitLsn()).toString());
                    range.put("to_time", time(newest.commitTimeMicros()));
                    long firstDump = Lsn.parse((String) dumps.get(0).get("lsn")).asLong();
                    range.put("ddl_capture", progress.ddlCaptureOff(firstDump, newest.lastCommitLsn())
                            .map(how -> how + " for part of the range").orElse("on"));
                    List<RefusedSpans.Span> refused = RefusedSpans.of(catalog, schemas, selection.topicPrefix(), t, firstDump,
                            newest.lastCommitLsn());
                    range.put("refused", refused.stream().map(ListCommand::refusedJson).toList());
                    range.put("ranges", ranges(firstDump, newest.lastCommitLsn(), refused));
                    td.put("restorable", range);
                    if (tail != null && newestWithKafka != null && newestWithKafka.lastCommitLsn() != 0) {
                        Map<String, Object> k = new LinkedHashMap<>(range);
                        k.put("to_lsn", Lsn.of(newestWithKafka.lastCommitLsn()).toString());
                        k.put("to_time", time(newestWithKafka.commitTimeMicros()));
                        td.put("restorable_with_kafka", k);
                    }
                }
                if (tail != null) {
                    td.put("offsets", offsets(catalog, tail, t));
                }
                tableDocs.add(td);
            }
            doc.put("tables", tableDocs);
            Map<String, Object> marks = new LinkedHashMap<>();
            for (ProgressRecord r : progress.records()) {
                if (r.kind() == ProgressRecord.Kind.MARK && r.mark() != null) {
                    marks.put(r.mark(), Map.of("lsn", Lsn.of(r.markLsn()).toString(), "time", time(r.commitTimeMicros())));
                }
            }
            doc.put("marks", marks);
            List<String> gaps = new ArrayList<>(both.all().gaps().stream().map(ProgressIndex.Gap::toString).toList());
            gaps.addAll(both.notes());
            doc.put("gaps", gaps);
            if (json) {
                out.println(JsonReport.of("list", 0, doc));
            } else {
                printTable(doc);
            }
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private void printTable(Map<String, Object> doc) {
        for (Map<String, Object> td : (List<Map<String, Object>>) doc.get("tables")) {
            out.println(td.get("table") + "  (" + td.get("segments") + " segment objects)");
            Map<String, Object> r = (Map<String, Object>) td.get("restorable");
            out.println(r == null ? "  restorable: nothing yet (needs a dump and confirmed progress)"
                    : "  restorable: " + r.get("from_lsn") + " (" + r.get("from_time") + ") .. " + r.get("to_lsn") + " (" + r.get("to_time") + ")");
            if (r != null) {
                for (Map<String, Object> x : (List<Map<String, Object>>) r.get("refused")) {
                    out.println("  not restorable from " + x.get("from_lsn") + " (" + x.get("command_tag") + ("dropped".equals(x.get("why"))
                            ? " dropped the table" : " rewrote the table") + ") until " + (x.get("until_lsn") == null
                            ? "the next dump (none yet)" : "the dump at " + x.get("until_lsn")));
                }
                out.println("  DDL capture: " + r.get("ddl_capture"));
            }
            Map<String, Object> k = (Map<String, Object>) td.get("restorable_with_kafka");
            if (k != null) {
                out.println("  restorable with Kafka: .. " + k.get("to_lsn") + " (" + k.get("to_time") + ")");
            }
            for (Map<String, Object> o : (List<Map<String, Object>>) td.getOrDefault("offsets", List.of())) {
                out.println("  partition " + o.get("partition") + ": archive " + o.get("archive") + ", Kafka " + o.get("kafka")
                        + (o.containsKey("gap") ? "  GAP offsets " + o.get("gap") + " in neither" : ""));
            }
            for (Map<String, Object> d : (List<Map<String, Object>>) td.get("dumps")) {
                out.println(String.format("  dump %-18s %-28s %12s rows%s", d.get("lsn"), d.getOrDefault("taken_at", "?"),
                        d.getOrDefault("rows", "?"), d.containsKey("error") ? "  ERROR " + d.get("error") : ""));
            }
        }
        Map<String, Object> marks = (Map<String, Object>) doc.get("marks");
        out.println(marks.isEmpty() ? "marks: none" : "marks:");
        marks.forEach((k, v) -> out.println("  " + k + "  " + ((Map<String, Object>) v).get("lsn") + "  " + ((Map<String, Object>) v).get("time")));
        for (String g : (List<String>) doc.get("gaps")) {
            out.println("GAP " + g);
        }
    }

    /**
     * Per partition, the offsets the archive holds (merged ranges of its segment objects), those Kafka still holds,
     * and the offsets between the two that neither holds.
     */
    private static List<Map<String, Object>> offsets(ArchiveCatalog catalog, KafkaTail tail, TableId t) {
        Map<Integer, List<SegmentRef>> segs = catalog.segments(t);
        Map<Integer, long[]> held = tail.offsets(t.topic(tail.prefix()));
        TreeSet<Integer> partitions = new TreeSet<>(segs.keySet());
        partitions.addAll(held.keySet());
        List<Map<String, Object>> out = new ArrayList<>();
        for (int p : partitions) {
            List<long[]> ranges = new ArrayList<>();
            for (SegmentRef r : segs.getOrDefault(p, List.of())) {
                long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                if (last != null && r.firstOffset() <= last[1] + 1) {
                    last[1] = Math.max(last[1], r.lastOffset());
                } else {
                    ranges.add(new long[] {r.firstOffset(), r.lastOffset()});
                }
            }
            long[] k = held.get(p);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("partition", p);
            o.put("archive", ranges.isEmpty() ? "none" : io.pgkb.restorer.internal.Coverage.describe(ranges));
            o.put("kafka", k == null || k[0] >= k[1] ? "none" : k[0] + "-" + (k[1] - 1));
            long archivedEnd = ranges.isEmpty() ? 0 : ranges.get(ranges.size() - 1)[1] + 1;
            if (k != null && k[0] > archivedEnd) {
                o.put("gap", archivedEnd + "-" + (k[0] - 1));
            }
            out.add(o);
        }
        return out;
    }

    private static Map<String, Object> refusedJson(RefusedSpans.Span x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from_lsn", Lsn.of(x.fromLsn()).toString());
        m.put("until_lsn", x.untilLsn() == null ? null : Lsn.of(x.untilLsn()).toString());
        m.put("command_tag", x.commandTag());
        m.put("why", x.dropped() ? "dropped" : "rewrite");
        return m;
    }

    /**
     * The restorable ranges between the first dump and the newest confirmed point, without the refused spans:
     * {@code from_lsn} to {@code to_lsn} inclusive, or to just before {@code before_lsn} (a refused span's start).
     */
    private static List<Map<String, Object>> ranges(long from, long to, List<RefusedSpans.Span> refused) {
        List<Map<String, Object>> out = new ArrayList<>();
        Long start = from;
        for (RefusedSpans.Span x : refused) {
            if (start != null && Lsn.compare(x.fromLsn(), start) > 0) {
                out.add(range(start, "before_lsn", x.fromLsn()));
            }
            start = x.untilLsn();
        }
        if (start != null && Lsn.compare(start, to) <= 0) {
            out.add(range(start, "to_lsn", to));
        }
        return out;
    }

    private static Map<String, Object> range(long from, String endKey, long end) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from_lsn", Lsn.of(from).toString());
        m.put(endKey, Lsn.of(end).toString());
        return m;
    }

    private static String time(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }

}
