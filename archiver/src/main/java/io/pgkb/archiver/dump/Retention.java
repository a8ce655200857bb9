package io.pgkb.archiver.dump;

import io.pgkb.archiver.dump.internal.DumpMetrics;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.ProgressIndex;
import io.pgkb.store.catalog.ProgressReader;
import io.pgkb.store.catalog.SegmentRef;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old dumps and the segments that no retained dump needs, by proof only (DESIGN §10):
 * <ol>
 *   <li>keep the dumps the {@link RetentionPolicy} keeps (always the newest); delete the others, manifest first so
 *   a dump stops being visible before its data goes;</li>
 *   <li>delete unfinished dump folders (no manifest) whose D is below the newest finished dump's D: a dump in
 *   progress always has a newer D than every finished one of its table (dumps of a table are serialised by
 *   {@link DumpLock});</li>
 *   <li>per partition, the replay start of the OLDEST retained dump is the cumulative next offset of the newest
 *   CONFIRM progress record with {@code confirmed_lsn ≤ D} — the same rule the restorer uses
 *   ({@link ProgressIndex#replayStart}); a segment is deleted only when its LAST offset is below that start.
 *   A partition that no such record names starts at 0, so nothing of it is deleted.</li>
 * </ol>
 * Progress records are read from the archive itself; when they cannot be read completely no segment is deleted.
 */
public final class Retention {
    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final String topicPrefix;
    private final RetentionPolicy policy;
    private final ArchiveCatalog catalog;

    public Retention(ObjectStore store, String topicPrefix, RetentionPolicy policy) {
        this.store = store;
        this.layout = new ArchiveLayout(topicPrefix);
        this.topicPrefix = topicPrefix;
        this.policy = policy;
        this.catalog = new ArchiveCatalog(store, layout);
    }

    /** Reads the archived progress records; callers pass the index to {@link #apply} for many tables. */
    public ProgressIndex readProgress() {
        return ProgressReader.index(catalog);
    }

    /** One pass over every table of the archive. */
    public List<RetentionReport> applyAll(Instant now) {
        List<RetentionReport> out = new ArrayList<>();
        if (!policy.enabled()) {
            return out;
        }
        ProgressIndex progress = readProgressOrNull();
        for (TableId t : catalog.tables()) {
            out.add(apply(t, progress, now));
        }
        return out;
    }

    /**
     * One pass over one table. {@code progress} null means the progress records could not be read: dumps are
     * still pruned, segments are not touched.
     */
    public RetentionReport apply(TableId table, ProgressIndex progress, Instant now) {
        List<DumpRef> dumps = catalog.dumps(table);
        if (!policy.enabled() || dumps.isEmpty()) {
            return new RetentionReport(table, dumps.stream().map(DumpRef::lsn).toList(), List.of(), List.of(), List.of(), Map.of());
        }
        List<DumpRef> retained = new ArrayList<>();
        List<DumpRef> expired = new ArrayList<>();
        for (int i = dumps.size() - 1; i >= 0; i--) {
            DumpRef d = dumps.get(i);
            int rank = dumps.size() - 1 - i;
            if (rank == 0 || keeps(d, rank, now)) {
                retained.add(0, d);
            } else {
                expired.add(0, d);
            }
        }
        // the lowest retained D governs segments, even if a clock jump made the time rule keep a dump older
        // than one it expired
        DumpRef oldest = retained.get(0);
        Lsn newest = dumps.get(dumps.size() - 1).lsn();

        List<Lsn> deletedDumps = new ArrayList<>();
        for (DumpRef d : expired) {
            deleteDump(d);
            deletedDumps.add(d.lsn());
            DumpMetrics.DELETED_DUMPS.inc();
        }
        List<String> garbage = deleteUnfinished(table, newest);

        List<String> deletedSegments = new ArrayList<>();
        Map<Integer, Long> start = Map.of();
        if (progress != null) {
            start = progress.replayStart(table.topic(topicPrefix), oldest.lsn().asLong());
            for (Map.Entry<Integer, List<SegmentRef>> e : catalog.segments(table).entrySet()) {
                long s = start.getOrDefault(e.getKey(), 0L);
                for (SegmentRef ref : e.getValue()) {
                    if (ref.lastOffset() < s) {
                        delete(ref.key());
                        deletedSegments.add(ref.key());
                        DumpMetrics.DELETED_SEGMENTS.inc();
                    }
                }
            }
        }
        if (!deletedDumps.isEmpty() || !garbage.isEmpty() || !deletedSegments.isEmpty()) {
            log.info("retention table={} retained_dumps={} oldest_retained={} deleted_dumps={} deleted_unfinished={} "
                            + "deleted_segments={} replay_start={}", table, retained.size(), oldest.lsn(), deletedDumps.size(),
                    garbage.size(), deletedSegments.size(), start);
        }
        return new RetentionReport(table, retained.stream().map(DumpRef::lsn).toList(), deletedDumps, garbage,
                deletedSegments, start);
    }

    private boolean keeps(DumpRef d, int rank, Instant now) {
        if (policy.keepDumps() > 0 && rank < policy.keepDumps()) {
            return true;
        }
        if (policy.keepFor() != null) {
            Instant takenAt = takenAt(d);
            // an unreadable manifest cannot prove the dump is old: keep it
            return takenAt == null || !takenAt.plus(policy.keepFor()).isBefore(now);
        }
        return false;
    }

    private Instant takenAt(DumpRef d) {
        try {
            return DumpManifest.fromJson(store.get(d.manifestKey()), store.describe(d.manifestKey())).takenAtInstant();
        } catch (IOException | RuntimeException e) {
            log.warn("retention keeps dump {} of {}: manifest unreadable: {}", d.lsn(), d.table(), Messages.firstLine(e));
            return null;
        }
    }

    private void deleteDump(DumpRef d) {
        String dir = layout.dumpDir(d.table(), d.lsn());
        delete(d.manifestKey());
        for (ObjectStore.ObjectInfo o : list(dir)) {
            delete(o.key());
        }
    }

    private List<String> deleteUnfinished(TableId table, Lsn newestFinished) {
        String root = layout.dumpsDir(table);
        TreeMap<String, List<String>> byDir = new TreeMap<>();
        TreeSet<String> finished = new TreeSet<>();
        for (ObjectStore.ObjectInfo o : list(root)) {
            String rest = o.key().substring(root.length());
            int slash = rest.indexOf('/');
            if (slash != 16) {
                continue;
            }
            String hex = rest.substring(0, slash);
            if (rest.endsWith("/manifest.json") && rest.indexOf('/', slash + 1) < 0) {
                finished.add(hex);
            }
            byDir.computeIfAbsent(hex, h -> new ArrayList<>()).add(o.key());
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byDir.entrySet()) {
            if (finished.contains(e.getKey()) || !e.getKey().matches("[0-9a-f]{16}")) {
                continue;
            }
            if (Lsn.fromHex16(e.getKey()).compareTo(newestFinished) < 0) {
                for (String key : e.getValue()) {
                    delete(key);
                    out.add(key);
                }
            }
        }
        return out;
    }

    private ProgressIndex readProgressOrNull() {
        try {
            return readProgress();
        } catch (PgkbException e) {
            log.warn("retention deletes no segment: progress records unreadable: {}", e.getMessage());
            return null;
        }
    }

    private List<ObjectStore.ObjectInfo> list(String prefix) {
        try {
            return store.list(prefix);
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot list " + store.describe(prefix) + ": " + Messages.firstLine(e));
        }
    }

    private void delete(String key) {
        try {
            store.delete(key);
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot delete " + store.describe(key) + ": " + Messages.firstLine(e));
        }
    }
}
