package io.pgkb.archiver.dump;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.schemas.segment.SegmentMetadata;
import io.pgkb.schemas.segment.SegmentReader;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.ProgressIndex;
import io.pgkb.store.catalog.SegmentRef;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes dumps by policy inside {@code pgkb archive} (DESIGN §5): a table is dumped when it has no dump yet, when
 * its newest dump is older than the interval, or after N archived changes since that dump's D. One archiver dumps
 * a given table at a time however many run: each dump holds the table's {@link DumpLock} and re-reads the newest
 * manifest after acquiring it. Retention runs under the same lock, after a dump and at least hourly.
 *
 * <p>Failures never stop the archiver: they are logged and the table is retried after a back-off.
 */
public final class DumpScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DumpScheduler.class);
    private static final Duration RETENTION_EVERY = Duration.ofHours(1);
    private static final int METADATA_CACHE = 100_000;

    private final PgUrl pg;
    private final ObjectStore store;
    private final String topicPrefix;
    private final DumpPolicy policy;
    private final ArchiveCatalog catalog;
    private final DumpTaker taker;
    private final Retention retention;
    private Supplier<? extends Collection<TableId>> tableSource = List::of;
    private Clock clock = Clock.systemUTC();
    private final Map<TableId, Instant> retryAfter = new HashMap<>();
    private final Map<TableId, Instant> lastRetention = new HashMap<>();
    private final Map<String, SegmentMetadata> metadataCache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SegmentMetadata> eldest) {
            return size() > METADATA_CACHE;
        }
    };
    /** Tables a DDL rewrote, with the DDL's commit_lsn: due for a dump until one is taken after it. */
    private final Map<TableId, Long> rewritten = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private Thread thread;

    public DumpScheduler(PgUrl pg, ObjectStore store, String topicPrefix, DumpPolicy policy) {
        this.pg = pg;
        this.store = store;
        this.topicPrefix = topicPrefix;
        this.policy = policy;
        ArchiveLayout layout = new ArchiveLayout(topicPrefix);
        this.catalog = new ArchiveCatalog(store, layout);
        this.taker = new DumpTaker(pg, store, layout);
        this.retention = new Retention(store, topicPrefix, policy.retention());
    }

    /**
     * Tables to consider besides those already in the archive, e.g. every table that has a topic; called once
     * per pass from the scheduler thread.
     */
    public DumpScheduler withTableSource(Supplier<? extends Collection<TableId>> tables) {
        this.tableSource = tables;
        return this;
    }

    /** The producer's publication; tables outside it are not dumped yet (see DumpTaker). */
    public DumpScheduler withPublication(String publication) {
        taker.withPublication(publication);
        return this;
    }

    DumpScheduler withClock(Clock c) {
        this.clock = c;
        return this;
    }

    /**
     * A DDL rewrote {@code table} at {@code commitLsn} (any thread): points after it are restorable only from a dump
     * taken after it, so the table is due at once and the scheduler is woken.
     */
    public void rewritten(TableId table, long commitLsn) {
        Long before = rewritten.merge(table, commitLsn, (a, b) -> Lsn.compare(a, b) >= 0 ? a : b);
        synchronized (this) {
            notifyAll();
        }
        log.debug("dump due table={} rewrite_commit_lsn={} (was {})", table, Lsn.of(commitLsn), before);
    }

    /** Starts the scheduler thread (a daemon: a dump cut off by exit leaves no manifest and is cleaned later). */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = new Thread(this::loop, "pgkb-dump-scheduler");
        thread.setDaemon(true);
        thread.start();
        log.info("dump scheduler started interval={} after_changes={} check_every={} keep_dumps={} keep_dumps_for={}",
                policy.interval(), policy.afterChanges(), policy.checkEvery(), policy.retention().keepDumps(),
                policy.retention().keepFor());
    }

    private void loop() {
        while (!stopping) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.error("dump scheduler pass failed: {}", Messages.firstLine(e));
            }
            synchronized (this) {
                if (stopping) {
                    break;
                }
                try {
                    wait(policy.checkEvery().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One pass over every known table: dump what is due, then apply retention. Returns the dumps taken. */
    public List<DumpResult> runOnce() {
        TreeSet<TableId> tables = new TreeSet<>(catalog.tables());
        tables.addAll(tableSource.get());
        tables.addAll(rewritten.keySet());
        List<DumpResult> taken = new ArrayList<>();
        if (tables.isEmpty()) {
            return taken;
        }
        ProgressIndex[] progress = {null};
        boolean[] progressRead = {false};
        try (DumpLock lock = DumpLock.connect(pg)) {
            for (TableId t : tables) {
                if (stopping) {
                    break;
                }
                Instant now = clock.instant();
                Instant retry = retryAfter.get(t);
                if (retry != null && now.isBefore(retry)) {
                    continue;
                }
                String reason = due(t, now);
                boolean retentionDue = policy.retention().enabled()
                        && (reason != null || !lastRetention.containsKey(t)
                        || !lastRetention.get(t).plus(RETENTION_EVERY).isAfter(now));
                if (reason == null && !retentionDue) {
                    continue;
                }
                if (!lock.tryLock(topicPrefix, List.of(t))) {
                    log.debug("dump skipped table={}: another process holds its dump lock", t);
                    continue;
                }
                try {
                    // another archiver may have dumped it while we were deciding
                    reason = reason == null ? null : due(t, now);
                    if (reason != null) {
                        log.info("dump starting table={} reason=\"{}\"", t, reason);
                        taken.add(taker.take(List.of(t), DumpListener.NONE));
                    }
                    if (policy.retention().enabled()) {
                        if (!progressRead[0]) {
                            progressRead[0] = true;
                            progress[0] = readProgress();
                        }
                        retention.apply(t, progress[0], clock.instant());
                        lastRetention.put(t, clock.instant());
                    }
                    retryAfter.remove(t);
                } catch (PgkbException e) {
                    Duration backoff = policy.checkEvery().multipliedBy(10);
                    retryAfter.put(t, clock.instant().plus(backoff));
                    log.warn("dump or retention of table={} failed, retrying in {}: {}", t, backoff, e.getMessage());
                } finally {
                    lock.unlockAll();
                }
            }
        }
        return taken;
    }

    /** Why {@code table} needs a dump now, or null. */
    String due(TableId table, Instant now) {
        List<DumpRef> dumps = catalog.dumps(table);
        if (dumps.isEmpty()) {
            return "no dump yet";
        }
        DumpRef newest = dumps.get(dumps.size() - 1);
        Long rewrite = rewritten.get(table);
        if (rewrite != null) {
            if (Lsn.compare(newest.lsn().asLong(), rewrite) <= 0) {
                return "a DDL at commit_lsn " + Lsn.of(rewrite) + " rewrote the table";
            }
            rewritten.remove(table, rewrite);
        }
        if (policy.interval() != null) {
            Instant takenAt = takenAt(newest);
            if (takenAt != null && !takenAt.plus(policy.interval()).isAfter(now)) {
                return "newest dump " + newest.lsn() + " taken at " + takenAt + " is older than " + policy.interval();
            }
        }
        if (policy.afterChanges() > 0) {
            long changes = changesSince(table, newest.lsn());
            if (changes >= policy.afterChanges()) {
                return changes + " changes archived since " + newest.lsn();
            }
        }
        return null;
    }

    /**
     * Archived changes with commit_lsn ≥ D, counted from segment metadata (whole segments whose newest commit is
     * at or after D, so a segment straddling D counts fully). Segment headers are cached: segments never change.
     */
    long changesSince(TableId table, Lsn d) {
        long n = 0;
        for (List<SegmentRef> refs : catalog.segments(table).values()) {
            for (SegmentRef ref : refs) {
                SegmentMetadata meta = metadata(ref);
                if (meta != null && Lsn.compare(meta.maxCommitLsn(), d.asLong()) >= 0) {
                    n += meta.count();
                }
            }
        }
        return n;
    }

    private SegmentMetadata metadata(SegmentRef ref) {
        SegmentMetadata m = metadataCache.get(ref.key());
        if (m != null) {
            return m;
        }
        try (InputStream in = store.open(ref.key())) {
            m = SegmentReader.metadata(in, store.describe(ref.key()));
            metadataCache.put(ref.key(), m);
            return m;
        } catch (IOException | RuntimeException e) {
            // deleted by retention meanwhile, or unreadable: not counted (verify reports damage)
            log.debug("segment header unreadable {}: {}", store.describe(ref.key()), Messages.firstLine(e));
            return null;
        }
    }

    private Instant takenAt(DumpRef d) {
        try {
            DumpManifest m = DumpManifest.fromJson(store.get(d.manifestKey()), store.describe(d.manifestKey()));
            return m.takenAtInstant();
        } catch (IOException | RuntimeException e) {
            log.warn("dump manifest unreadable {}: {}", store.describe(d.manifestKey()), Messages.firstLine(e));
            return null;
        }
    }

    private ProgressIndex readProgress() {
        try {
            return retention.readProgress();
        } catch (PgkbException e) {
            log.warn("retention deletes no segment this pass: progress records unreadable: {}", e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            stopping = true;
            notifyAll();
            t = thread;
        }
        if (t != null) {
            // a long COPY would hold the stop; cancelled, the dump deletes what it wrote (no manifest is left)
            taker.cancel();
            try {
                t.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
