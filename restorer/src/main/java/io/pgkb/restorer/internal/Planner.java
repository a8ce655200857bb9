package io.pgkb.restorer.internal;

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
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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

    public Planner(ArchiveCatalog catalog, ProgressIndex progress, ChangeDecoding decoding, String prefix) {
        this.catalog = catalog;
        this.progress = progress;
        this.decoding = decoding;
        this.prefix = prefix;
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
                    "--latest: the archive holds no confirmed progress record yet, nothing is proven complete"));
        }
        return resolveTime(spec.time(), tables);
    }

    /** The last commit at or before the time, among progress records and the chosen tables' changes. */
    private long resolveTime(Instant time, List<TableTarget> tables) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, time);
        List<String> topics = tables.stream().map(t -> t.source().topic(prefix)).toList();
        ProgressIndex.TimeWindow w = progress.timeWindow(micros, topics).orElseThrow(() ->
                new PgkbException.ArchiveIncompleteException("--to-time " + time + " is after the newest point the archive covers"
                        + progress.newestConfirm().map(r -> " (" + Instant.EPOCH.plus(r.commitTimeMicros(), ChronoUnit.MICROS) + ")").orElse("")));
        long best = w.lastCommitLsn();
        for (TableTarget t : tables) {
            String topic = topics.get(tables.indexOf(t));
            Map<Integer, List<SegmentRef>> segs = catalog.segments(t.source());
            Map<Integer, Long> to = w.to().get(topic);
            for (Map.Entry<Integer, Long> e : to.entrySet()) {
                long from = w.from().get(topic).getOrDefault(e.getKey(), 0L);
                Coverage cov = Coverage.of(segs.getOrDefault(e.getKey(), List.of()), from, e.getValue());
                if (!cov.complete()) {
                    throw new PgkbException.ArchiveIncompleteException("table " + t.source() + " partition " + e.getKey()
                            + ": offsets " + Coverage.describe(cov.missing()) + " missing from the archive (needed to resolve --to-time)");
                }
                try (PartitionStream ps = new PartitionStream(catalog.store(), cov.segments(), from, e.getValue(), 0, -1L)) {
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

    public RestorePlan plan(long target, String how, List<TableTarget> tables) {
        List<String> problems = new ArrayList<>();
        if (!progress.covers(target)) {
            throw new PgkbException.ArchiveIncompleteException("target " + Lsn.of(target) + " is beyond what the archive proves complete"
                    + progress.latest().stream().mapToObj(l -> " (newest covered point: " + Lsn.of(l) + ", use --latest)").findFirst().orElse(""));
        }
        List<RestorePlan.TablePlan> plans = new ArrayList<>();
        for (TableTarget t : tables) {
            TableId table = t.source();
            List<DumpRef> dumps = catalog.dumps(table);
            DumpRef dump = catalog.newestDumpAtOrBefore(table, target).orElse(null);
            if (dump == null) {
                problems.add(dumps.isEmpty() ? "table " + table + ": the archive holds no dump of it"
                        : "table " + table + ": no dump at or before " + Lsn.of(target) + " (the oldest dump is at " + dumps.get(0).lsn()
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
            for (int p : partitions) {
                long from = start.getOrDefault(p, 0L);
                long to = Math.max(from, bound.getOrDefault(p, 0L));
                Coverage cov = Coverage.of(segs.getOrDefault(p, List.of()), from, to);
                if (!cov.complete()) {
                    problems.add("table " + table + " partition " + p + ": offsets " + Coverage.describe(cov.missing())
                            + " are missing from the archive (needed " + from + "-" + (to - 1) + ")");
                }
                pp.add(new RestorePlan.PartitionPlan(p, from, to, cov.segments()));
                log.info("restore.plan table={} partition={} dump={} target={} from_offset={} to_offset={} segments={}", table, p,
                        dump.lsn(), Lsn.of(target), from, to, cov.segments().size());
            }
            plans.add(new RestorePlan.TablePlan(t, dump, manifest, pp));
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
