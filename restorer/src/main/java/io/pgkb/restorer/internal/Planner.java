package io.pgkb.restorer.internal;

import io.pgkb.restorer.RestoreTargetSpec;
import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.ArchivedEntry;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.ProgressIndex;
import io.pgkb.store.catalog.SegmentRef;
import io.pgkb.store.catalog.SegmentStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plan → verify (README "Design", DESIGN §6): resolves the target to an LSN T, picks per table the newest dump at
 * or before T, derives the offset range per partition from the progress records, finds the segment objects and
 * reads every one of them through (checksums). Anything missing or corrupt refuses with exit 3, naming it.
 */
public final class Planner {
    private static final Logger log = LoggerFactory.getLogger(Planner.class);
    private final ArchiveCatalog catalog;
    private final ProgressIndex progress;
    private final ChangeDecoding decoding;
    private final String prefix;
    private final Sources sources;
    private final List<String> progressNotes;
    private final Map<String, Map<Integer, long[]>> kafkaOffsets = new HashMap<>();

    public Planner(ArchiveCatalog catalog, ProgressIndex progress, ChangeDecoding decoding, String prefix) {
        this(catalog, new TailProgress(progress, progress, List.of()), decoding, new Sources(catalog.store(), null, prefix));
    }

    /** With {@code sources.tail()} set, what the archive lacks is taken from Kafka where it still holds it (DESIGN §12). */
    public Planner(ArchiveCatalog catalog, TailProgress progress, ChangeDecoding decoding, Sources sources) {
        this.catalog = catalog;
        this.progress = progress.all();
        this.progressNotes = progress.notes();
        this.decoding = decoding;
        this.prefix = sources.prefix();
        this.sources = sources;
    }

    private String where() {
        return sources.tail() == null ? "the archive" : "the archive and Kafka";
    }

    /**
     * Where offsets {@code [from, to)} of a partition come from: segment objects, then Kafka for what they lack
     * (with a tail). Missing pieces are what neither holds.
     */
    Coverage coverage(TableId table, int partition, List<SegmentRef> segments, long from, long to) {
        Coverage cov = Coverage.of(segments, from, to);
        if (sources.tail() == null || cov.complete()) {
            return cov;
        }
        long[] held = kafkaOffsets(table).get(partition);
        return held == null ? cov : cov.withKafka(held[0], held[1]);
    }

    private Map<Integer, long[]> kafkaOffsets(TableId table) {
        return kafkaOffsets.computeIfAbsent(table.topic(prefix), sources.tail()::offsets);
    }

    /** "offsets a-b are missing from the archive" and, with a tail, what Kafka holds of the partition instead. */
    String missing(TableId table, int partition, Coverage cov) {
        String text = "table " + table + " partition " + partition + ": offsets " + Coverage.describe(cov.missing()) + " are missing from the archive";
        if (sources.tail() == null) {
            return text;
        }
        long[] held = kafkaOffsets(table).get(partition);
        return text + (held == null ? " and Kafka has no such partition" : held[0] >= held[1]
                ? " and Kafka holds no record of the partition (log start and end offset " + held[1] + ")"
                : " and Kafka holds only offsets " + held[0] + "-" + (held[1] - 1) + " (retention removed those before " + held[0] + ")");
    }

    public long resolve(RestoreTargetSpec spec, List<TableTarget> tables) {
        if (spec.lsn() != null) {
            try {
                return Lsn.parse(spec.lsn()).asLong();
            } catch (IllegalArgumentException e) {
                throw new PgkbException.ConfigException("--to-lsn: " + e.getMessage());
            }
        }
        if (spec.mark() != null) {
            Long lsn = progress.marks().get(spec.mark());
            if (lsn == null) {
                throw new PgkbException.ConfigException("--to-mark: no mark named '" + spec.mark() + "' in the archive (marks: "
                        + (progress.marks().isEmpty() ? "none" : String.join(", ", progress.marks().keySet())) + ")");
            }
            return lsn;
        }
        if (spec.latest()) {
            return progress.latest().orElseThrow(() -> new PgkbException.ArchiveIncompleteException(
                    "--latest: " + where() + " hold no confirmed progress record yet, nothing is proven complete"));
        }
        return resolveTime(spec.time(), tables);
    }

    /** The last commit at or before the time, among progress records and the chosen tables' changes. */
    private long resolveTime(Instant time, List<TableTarget> tables) {
        // not ChronoUnit.MICROS.between: it counts nanoseconds first, which overflow after the year 2262
        long micros = Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000L), time.getNano() / 1_000);
        List<String> topics = tables.stream().map(t -> t.source().topic(prefix)).toList();
        ProgressIndex.TimeWindow w = progress.timeWindow(micros, topics).orElseThrow(() ->
                new PgkbException.ArchiveIncompleteException("--to-time " + time + " is after the newest point " + where() + " cover"
                        + progress.newestConfirm().map(r -> " (" + Instant.EPOCH.plus(r.commitTimeMicros(), ChronoUnit.MICROS) + ")").orElse("")));
        long best = w.lastCommitLsn();
        for (TableTarget t : tables) {
            String topic = topics.get(tables.indexOf(t));
            Map<Integer, List<SegmentRef>> segs = catalog.segments(t.source());
            Map<Integer, Long> to = w.to().get(topic);
            for (Map.Entry<Integer, Long> e : to.entrySet()) {
                long from = w.from().get(topic).getOrDefault(e.getKey(), 0L);
                Coverage cov = coverage(t.source(), e.getKey(), segs.getOrDefault(e.getKey(), List.of()), from, e.getValue());
                if (!cov.complete()) {
                    throw new PgkbException.ArchiveIncompleteException(missing(t.source(), e.getKey(), cov) + " (needed to resolve --to-time)");
                }
                try (PartitionStream ps = new PartitionStream(sources, t.source(), e.getKey(), cov.pieces(), from, e.getValue(), 0, -1L)) {
                    for (ArchivedEntry a = ps.head(); a != null; ps.advance(), a = ps.head()) {
                        if (Lsn.compare(a.commitLsn(), best) > 0 && decoding.commitTimeMicros(a) <= micros) {
                            best = a.commitLsn();
                        }
                    }
                }
            }
        }
        log.info("restore.resolve_time time={} progress_last_commit={} window_from={} window_to={} resolved={}", time,
                Lsn.of(w.lastCommitLsn()), w.from(), w.to(), Lsn.of(best));
        log.debug("restore.resolve_time before={} after={} count={}", w.before(), w.after(), progress.records().size());
        if (best == 0) {
            throw new PgkbException.ArchiveIncompleteException("--to-time " + time + " is before the first change the archive knows");
        }
        return best;
    }

    /**
     * A restore's plan: also lists the DDL records it will replay, and refuses (exit 3) a DDL that rewrote or dropped
     * a table between its dump and T (the rebuild would refuse a rewrite too), before anything is read or built.
     */
    public RestorePlan plan(long target, String how, List<TableTarget> tables) {
        return plan(target, how, tables, target, true);
    }

    public RestorePlan plan(long target, String how, List<TableTarget> tables, long dumpPoint) {
        return plan(target, how, tables, dumpPoint, false);
    }

    /**
     * A plan to {@code target} from each table's newest dump at or before {@code dumpPoint} (a history starts from the
     * dump before its first point), proven complete over the whole range.
     */
    private RestorePlan plan(long target, String how, List<TableTarget> tables, long dumpPoint, boolean listDdl) {
        List<String> problems = new ArrayList<>();
        if (!progress.covers(target)) {
            throw new PgkbException.ArchiveIncompleteException("target " + Lsn.of(target) + " is beyond what " + where() + " prove complete"
                    + progress.latest().stream().mapToObj(l -> " (newest covered point: " + Lsn.of(l) + ", use --latest)").findFirst().orElse("")
                    + (sources.tail() == null ? "; with --bootstrap-servers the changes still in Kafka can be used" : "")
                    + progressNotes.stream().map(n -> "; " + n).collect(Collectors.joining()));
        }
        List<RestorePlan.TablePlan> plans = new ArrayList<>();
        for (TableTarget t : tables) {
            TableId table = t.source();
            List<DumpRef> dumps = catalog.dumps(table);
            DumpRef dump = catalog.newestDumpAtOrBefore(table, dumpPoint).orElse(null);
            if (dump == null) {
                if (dumps.isEmpty()) {
                    catalog.requireKnown(table);
                }
                problems.add(dumps.isEmpty() ? "table " + table + ": the archive holds no dump of it"
                        : "table " + table + ": no dump at or before " + Lsn.of(dumpPoint) + " (the oldest dump is at " + dumps.get(0).lsn()
                        + "); a point before the oldest dump cannot be restored");
                continue;
            }
            progress.gapCrossing(dump.lsn().asLong(), target).ifPresent(g ->
                    problems.add("table " + table + ": restoring from the dump at " + dump.lsn() + " to " + Lsn.of(target)
                            + " crosses a " + g + " where changes were lost"));
            DumpManifest manifest = readManifest(dump);
            String topic = table.topic(prefix);
            Map<Integer, Long> start = progress.replayStart(topic, dump.lsn().asLong());
            Map<Integer, Long> bound = progress.bound(topic, target).orElseThrow();
            Map<Integer, List<SegmentRef>> segs = catalog.segments(table);
            TreeSet<Integer> partitions = new TreeSet<>(bound.keySet());
            partitions.addAll(start.keySet());
            List<RestorePlan.PartitionPlan> pp = new ArrayList<>();
            boolean complete = true;
            for (int p : partitions) {
                long from = start.getOrDefault(p, 0L);
                long to = Math.max(from, bound.getOrDefault(p, 0L));
                Coverage cov = coverage(table, p, segs.getOrDefault(p, List.of()), from, to);
                if (!cov.complete()) {
                    problems.add(missing(table, p, cov) + " (needed " + from + "-" + (to - 1) + ")");
                    complete = false;
                }
                pp.add(new RestorePlan.PartitionPlan(p, from, to, cov.pieces()));
                log.info("restore.plan table={} partition={} dump={} target={} from_offset={} to_offset={} segments={} kafka={}", table, p,
                        dump.lsn(), Lsn.of(target), from, to, cov.segments().size(), Coverage.describe(cov.kafka()));
            }
            List<RestorePlan.Ddl> ddl = listDdl && complete
                    ? new DdlListing(sources, decoding).of(table, pp, dump.lsn().asLong(), target) : List.of();
            ddl.stream().filter(RewriteRefusal::refuses).findFirst()
                    .ifPresent(d -> problems.add(RewriteRefusal.of(table.toString(), d, dumps).getMessage()));
            plans.add(new RestorePlan.TablePlan(t, dump, manifest, pp, dumps, ddl,
                    progress.ddlCaptureOff(dump.lsn().asLong(), target).orElse(null)));
        }
        if (!problems.isEmpty()) {
            throw new PgkbException.ArchiveIncompleteException(String.join("; ", problems));
        }
        return new RestorePlan(target, how, plans);
    }

    /** Reads every chosen segment object to its end, so a corrupt object refuses the restore before any work. */
    public void verify(RestorePlan plan) {
        List<String> problems = new ArrayList<>();
        for (RestorePlan.TablePlan t : plan.tables()) {
            for (RestorePlan.PartitionPlan p : t.partitions()) {
                for (long[] k : p.kafka()) {
                    long[] held = sources.tail().offsets(t.table().source().topic(prefix)).get(p.partition());
                    if (held == null || held[0] > k[0] || held[1] <= k[1]) {
                        problems.add("table " + t.table().source() + " partition " + p.partition() + ": offsets " + k[0] + "-" + k[1]
                                + " are no longer in Kafka" + (held == null ? "" : " (it holds " + held[0] + "-" + (held[1] - 1) + ")"));
                    }
                }
                for (SegmentRef ref : p.segments()) {
                    try (SegmentStream s = SegmentStream.open(catalog.store(), ref)) {
                        s.drain();
                    } catch (PgkbException.ArchiveIncompleteException e) {
                        problems.add("table " + t.table().source() + ": " + e.getMessage());
                    }
                }
            }
            if (!exists(t.dump().dataKey())) {
                problems.add("table " + t.table().source() + ": dump data missing: " + catalog.store().describe(t.dump().dataKey()));
            }
        }
        if (!problems.isEmpty()) {
            throw new PgkbException.ArchiveIncompleteException(String.join("; ", problems));
        }
        log.info("restore.verified tables={}", plan.tables().size());
    }

    private boolean exists(String key) {
        try {
            return catalog.store().exists(key);
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot read " + catalog.store().describe(key) + ": " + e.getMessage(), e);
        }
    }

    private DumpManifest readManifest(DumpRef dump) {
        ObjectStore store = catalog.store();
        try {
            return DumpManifest.fromJson(store.get(dump.manifestKey()), store.describe(dump.manifestKey()));
        } catch (NoSuchFileException e) {
            throw new PgkbException.ArchiveIncompleteException("dump manifest vanished: " + store.describe(dump.manifestKey()));
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot read " + store.describe(dump.manifestKey()) + ": " + e.getMessage(), e);
        }
    }
}
