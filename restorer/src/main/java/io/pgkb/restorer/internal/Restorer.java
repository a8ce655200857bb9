package io.pgkb.restorer.internal;

import io.pgkb.restorer.RestoreTargetSpec;
import io.pgkb.restorer.RestoreTuning;
import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.ui.ProgressReporter;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.ArchiveSchemas;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole restore: refuse early if a target exists without --replace, plan and verify, build every table
 * under a work name ({@code --parallel} at a time), then swap all of them in one transaction.
 */
public final class Restorer {
    private static final Logger log = LoggerFactory.getLogger(Restorer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ObjectStore store;
    private final String prefix;
    private final PgUrl target;
    private final RestoreTuning tuning;
    private final PrintStream out;
    private final KafkaTail tail;

    public Restorer(ObjectStore store, String prefix, PgUrl target, RestoreTuning tuning, PrintStream out) {
        this(store, null, prefix, target, tuning, out);
    }

    /** @param tail the records still in Kafka (DESIGN §12); null: the archive alone */
    public Restorer(ObjectStore store, KafkaTail tail, String prefix, PgUrl target, RestoreTuning tuning, PrintStream out) {
        this.tail = tail;
        this.store = store;
        this.prefix = prefix;
        this.target = target;
        this.tuning = tuning;
        this.out = out;
    }

    public RestoreResult restore(List<TableTarget> tables, RestoreTargetSpec spec, boolean replace, boolean dryRun) throws Exception {
        long begin = System.nanoTime();
        ArchiveLayout layout = new ArchiveLayout(prefix);
        SchemaResolver schemas = TailProgress.schemas(new ArchiveSchemas(store, layout), tail);
        Sources sources = new Sources(store, tail, prefix);
        // The archive is planned on a thread of its own while this one connects to the target and checks it: in a JVM
        // started for this restore both are mostly class loading and first calls, tens of ms each, on different
        // cores. The target is checked first, as before planning, so an existing target is refused at once.
        FutureTask<Planned> planning = new FutureTask<>(() -> {
            ArchiveCatalog catalog = new ArchiveCatalog(store, layout);
            Planner planner = new Planner(catalog, TailProgress.load(catalog, tail), new ChangeDecoding(schemas), sources);
            long point = planner.resolve(spec, tables);
            return new Planned(planner, point, planner.plan(point, spec.describe(), tables));
        });
        Thread planner = new Thread(planning, "restore-plan");
        planner.setDaemon(true);
        planner.start();
        Connection setup = null;
        Planned planned;
        Set<TableId> replacing = new HashSet<>();
        try {
            if (!dryRun) {
                setup = connect();
                TargetChecks.checkWritable(setup, tables, target.describe());
                if (!replace) {
                    refuseExisting(setup, tables);
                } else {
                    for (TableTarget tt : tables) {
                        if (exists(setup, tt.target())) {
                            replacing.add(tt.target());
                        }
                    }
                    // before any work: a view or another table's foreign key on a replaced table refuses the restore
                    TableSwap.refuseDependents(setup, List.copyOf(replacing));
                }
            }
            planned = await(planning);
        } catch (Exception e) {
            planning.cancel(true);
            closeQuietly(setup);
            throw e;
        }
        long t = planned.point();
        RestorePlan plan = planned.plan();
        long planEnd = System.nanoTime();
        if (dryRun) {
            plan.print(out);
            out.flush();
            planned.planner().verify(plan);
            out.println("dry run: archive verified, nothing restored");
            long end = System.nanoTime();
            return new RestoreResult(plan, true, 0, 0, millis(planEnd - begin), 0, 0, millis(end - begin));
        }
        // Without --dry-run, objects are proven while they are read for the rebuild: the work tables are not the
        // target, and a damaged object drops them before the swap, so the target is never touched by bad data.
        Map<TableTarget, TableId> work = new LinkedHashMap<>();
        for (TableTarget tt : tables) {
            byte[] id = new byte[5];
            RANDOM.nextBytes(id);
            work.put(tt, new TableId(tt.target().schema(), "pgkb_restore_" + HexFormat.of().formatHex(id)));
        }
        AtomicLong rows = new AtomicLong();
        AtomicLong changes = new AtomicLong();
        long started = System.nanoTime();
        long swapStarted = started;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(tuning.parallel(), tables.size())));
        ScheduledExecutorService ticker = null;
        ProgressReporter bar = null;
        AtomicLong shown = new AtomicLong();
        // The rebuilds start reading the archive now; they touch the target only once it has been checked and its
        // schemas exist (targetReady), which the plan's printing and the schema creation below overlap.
        CompletableFuture<Void> targetReady = new CompletableFuture<>();
        boolean swapped = false;
        List<String> notes = List.of();
        try {
            List<Future<DefinitionApplier.Built>> futures = new ArrayList<>();
            for (RestorePlan.TablePlan tp : plan.tables()) {
                TableId w = work.get(tp.table());
                boolean accessFromDefinition = !replacing.contains(tp.table().target());
                futures.add(pool.submit(() -> new TableRebuild(sources, new ChangeDecoding(schemas), tuning, rows, changes)
                        .build(() -> {
                            awaitTarget(targetReady);
                            return connect(false);
                        }, plan, tp, w, accessFromDefinition)));
            }
            try (Connection c = setup) {
                plan.print(out);
                out.flush();
                // parallel CREATE SCHEMA IF NOT EXISTS of the same schema race on pg_namespace: create them first, one by one
                for (String schema : new TreeSet<>(tables.stream().map(tt -> tt.target().schema()).toList())) {
                    Sql.exec(c, "CREATE SCHEMA IF NOT EXISTS " + Sql.q(schema));
                }
                targetReady.complete(null);
            } catch (Exception e) {
                targetReady.completeExceptionally(e);
                throw e;
            }
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread th = new Thread(r, "restore-progress");
                th.setDaemon(true);
                return th;
            });
            // a terminal gets a bar with rate and ETA (dump rows plus archived records in range: an upper bound of the
            // work); anything else gets the plain line every 5 s that logs and CI can read
            bar = System.console() == null ? null : ProgressReporter.create("restore");
            if (bar == null) {
                ticker.scheduleAtFixedRate(() -> report(rows, changes, started), 5, 5, TimeUnit.SECONDS);
            } else {
                ProgressReporter b = bar;
                long total = plan.tables().stream().mapToLong(tp -> tp.manifest().rowCount() + tp.records()).sum();
                b.start(total, "rows+changes");
                ticker.scheduleAtFixedRate(() -> {
                    long now = rows.get() + changes.get();
                    b.advance(now - shown.getAndSet(now));
                }, 200, 200, TimeUnit.MILLISECONDS);
            }
            List<TableSwap.Entry> entries = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    RestorePlan.TablePlan tp = plan.tables().get(i);
                    entries.add(new TableSwap.Entry(tp.table(), work.get(tp.table()), futures.get(i).get()));
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
            swapStarted = System.nanoTime();
            notes = swap(entries, replace);
            swapped = true;
        } finally {
            pool.shutdownNow();
            if (ticker != null) {
                ticker.shutdownNow();
            }
            // work tables exist only once the target was ready: a refused or unreachable target has none to drop
            if (!swapped && targetReady.isDone() && !targetReady.isCompletedExceptionally()) {
                dropQuietly(work.values());
            }
        }
        if (bar != null) {
            long now = rows.get() + changes.get();
            bar.advance(now - shown.getAndSet(now));
            bar.done();
        }
        report(rows, changes, started);
        long end = System.nanoTime();
        // where a restore's time goes outside the tables' own phases (restore.table): planning, the swap
        log.info("restore.done tables={} plan_ms={} build_ms={} swap_ms={}", tables.size(), millis(started - begin),
                millis(swapStarted - started), millis(end - swapStarted));
        for (TableTarget tt : tables) {
            out.println("restored " + tt + " at " + io.pgkb.schemas.Lsn.of(t));
        }
        // what the definition at T has that the restored tables lack, e.g. a foreign key to a table not restored
        for (String n : notes) {
            out.println("not restored: " + n);
        }
        return new RestoreResult(plan, false, rows.get(), changes.get(), millis(started - begin), millis(swapStarted - started),
                millis(end - swapStarted), millis(end - begin));
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private void report(AtomicLong rows, AtomicLong changes, long started) {
        double secs = Math.max(0.001, (System.nanoTime() - started) / 1e9);
        out.printf("restore: %d dump rows loaded, %d changes applied (%.0f changes/s), %.0fs%n", rows.get(), changes.get(),
                changes.get() / secs, secs);
        out.flush();
    }

    /** What planning found: the restore point and the plan, and the planner that verifies a dry run. */
    private record Planned(Planner planner, long point, RestorePlan plan) {
    }

    /** The planning thread's result, or what it failed with, as it was thrown. */
    private static Planned await(FutureTask<Planned> planning) throws Exception {
        try {
            return planning.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** Waits until the target is ready; when preparing it failed, the main thread reports why and this only stops. */
    private static void awaitTarget(CompletableFuture<Void> ready) {
        try {
            ready.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgkbException.FatalException("restore interrupted");
        } catch (ExecutionException e) {
            throw new PgkbException.FatalException("restore stopped: the target could not be prepared");
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing was done on it that closing could lose
            }
        }
    }

    private void refuseExisting(Connection c, List<TableTarget> tables) throws SQLException {
        for (TableTarget t : tables) {
            if (exists(c, t.target())) {
                throw new PgkbException.ConfigException("target table " + t.target() + " exists in " + target.describe()
                        + "; nothing was changed (use --replace to overwrite it)");
            }
        }
    }

    /** One transaction: every target exists afterwards with its restored content and definition, or nothing changed. */
    private List<String> swap(List<TableSwap.Entry> entries, boolean replace) throws SQLException {
        try (Connection c = connect(false)) {
            try {
                List<String> notes = new TableSwap(c, replace).run(entries);
                c.commit();
                return notes;
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            }
        }
    }

    static boolean exists(Connection c, TableId t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, t.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void dropQuietly(Iterable<TableId> tables) {
        try (Connection c = connect()) {
            for (TableId t : tables) {
                Sql.exec(c, "DROP TABLE IF EXISTS " + t.quoted());
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("restore.cleanup_failed tables={} error={}", tables, e.getMessage());
        }
    }

    private Connection connect() throws SQLException {
        return connect(true);
    }

    /** A connection to the target with pgkb's session settings; closed again if setting it up fails. */
    private Connection connect(boolean autoCommit) throws SQLException {
        Connection c;
        try {
            c = DriverManager.getConnection(target.jdbcUrl(), target.properties());
        } catch (SQLException e) {
            throw PgkbException.connecting("cannot connect to --target " + target.describe() + ": " + e.getMessage(), e);
        }
        try {
            for (String s : DumpFormat.sessionStatements()) {
                Sql.exec(c, s);
            }
            c.setAutoCommit(autoCommit);
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return c;
    }
}
