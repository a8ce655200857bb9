package io.pgkb.bench.restore;

import io.pgkb.archiver.dump.DumpListener;
import io.pgkb.archiver.dump.DumpTaker;
import io.pgkb.bench.BenchStore;
import io.pgkb.restorer.Restore;
import io.pgkb.restorer.RestoreTargetSpec;
import io.pgkb.restorer.RestoreTuning;
import io.pgkb.restorer.SplitCopy;
import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.LocalPostgres;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Restore benchmark (run by hand, {@code bench/restore.sh}): a dump of ROWS rows from a real PostgreSQL plus CHANGES
 * change records (updates and deletes over a hot key set, inserts of new keys; 10 changes per transaction) written
 * with the real codec and segment writer, restored with the restorer. Prints, measured in this run:
 * restore time ÷ COPY of the final table state alone, and a statement-by-statement replay of the same dump and
 * changes ÷ restore time; checks the two results are equal; prints the peak heap.
 *
 * <p>Arguments: {@code [rows] [changes] [hotKeys] [replayChanges] [batchKeys]} (defaults 1000000 1000000 10000 all 100000, the CLI default). With
 * replayChanges below changes the replay runs that many and its time is extrapolated (and not compared).
 *
 * <p>{@code -Dwide=N} adds N text columns {@code e1..eN} to the table (default 0), each set by every insert and update: a
 * wider row, as most tables have, costs more per change to decode and convert.
 *
 * <p>{@code -DloadConnections=N} sets the restore's {@code --load-connections} (default: the CLI's). The target's
 * baseline is one COPY, as a user loads a table; the bench also prints, for comparison, the same COPY spread over as
 * many connections as the restore's, by the restore's own {@link SplitCopy}.
 *
 * <p>{@code -Dindexes=true} gives the table two secondary indexes ({@code v}, {@code s}) and a CHECK constraint: the restore
 * builds them from the dump's definition after the load; the baseline COPYs the final state and builds the same key,
 * indexes and constraint.
 *
 * <p>{@code -Dwarm=N} (diagnostic, not a result) restores N times before the measured restore, so the measured one
 * runs on compiled code: the difference is what a just-started JVM's JIT compilation costs a restore.
 */
public final class RestoreBench {
    static final TableId TABLE = new TableId("public", "bench");
    static final String PREFIX = "bench";
    /** {@code -DloadConnections=N}: the restore's {@code --load-connections} (the baseline's COPY always uses one). */
    static final int LOAD_CONNECTIONS = Integer.getInteger("loadConnections", RestoreTuning.DEFAULT_LOAD_CONNECTIONS);
    /** {@code -Dindexes=true}: two secondary indexes and a CHECK constraint on the table. */
    private static final boolean INDEXES = Boolean.getBoolean("indexes");

    /** The secondary indexes and CHECK constraint of -Dindexes on {@code table}, as statements; empty without. */
    private static String secondary(String table) {
        return INDEXES ? "; CREATE INDEX ON " + table + " (v); CREATE INDEX ON " + table + " (s); ALTER TABLE " + table
                + " ADD CHECK (v >= 0)" : "";
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int hot = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int replayN = args.length > 3 ? Integer.parseInt(args[3]) : changes;
        int batchKeys = args.length > 4 ? Integer.parseInt(args[4]) : 100_000;
        Path dir = Files.createTempDirectory("pgkb-restore-bench-");
        System.out.println(BenchStore.describe());
        try (LocalPostgres pg = LocalPostgres.start(); ObjectStore store = BenchStore.open(dir.resolve("archive"))) {
            pg.createDatabase("src");
            pg.createDatabase("tgt");
            try (Connection c = pg.connect("src"); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE bench (id bigint PRIMARY KEY, v integer NOT NULL, s text" + SyntheticArchive.extraDefs() + ")" + secondary("bench"));
                StringBuilder extras = new StringBuilder();
                for (int k = 1; k <= SyntheticArchive.WIDE; k++) {
                    extras.append(", 'e").append(k).append("-' || (g % 1000)");
                }
                st.execute("INSERT INTO bench SELECT g, g % 1000, 'row ' || g" + extras + " FROM generate_series(1, " + rows + ") g");
            }
            long t0 = System.nanoTime();
            Lsn d = new DumpTaker(PgUrl.parse(pg.uri("src")), store, new ArchiveLayout(PREFIX)).take(List.of(TABLE), DumpListener.NONE)
                    .consistentPoint();
            System.out.printf("dump: %d rows at %s in %.1fs%n", rows, d, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            long target = SyntheticArchive.writeChanges(store, d.asLong(), rows, changes, hot, dir);
            System.out.printf("archive: %d changes written in %.1fs, target %s%n", changes, (System.nanoTime() - t0) / 1e9, Lsn.of(target));

            PgUrl tgt = PgUrl.parse(pg.uri("tgt"));
            for (int w = 0; w < Integer.getInteger("warm", 0); w++) {
                long tw = System.nanoTime();
                restore(store, tgt, batchKeys, target, "warm" + w);
                System.out.printf("warm-up restore %d: %.2fs%n", w, (System.nanoTime() - tw) / 1e9);
            }
            // each timed part starts with no dirty buffers and no checkpoint due: the WAL of what ran before it (the
            // source's rows, the restore, the other baseline) must not land on the next one's time
            checkpoint(pg);
            Meters.resetPeak();
            Meters.AfterGc live = new Meters.AfterGc();
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long pgCpu0 = Meters.serverCpuMillis(pg);
            long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            long gc0 = Meters.gcMillis();
            t0 = System.nanoTime();
            restore(store, tgt, batchKeys, target, "restored");
            double restore = (System.nanoTime() - t0) / 1e9;
            // this JVM's CPU (every thread: restore, JIT compilers, GC) while it restored, and the JIT's part of it:
            // on a busy machine the wall time stretches, these much less
            System.out.printf("restore JVM CPU: %.2fs; JIT compiling %.2fs, GC %.2fs (wall, summed over threads; PostgreSQL's own CPU not "
                    + "included)%n", (os.getProcessCpuTime() - cpu0) / 1e9,
                    (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0) / 1e3, (Meters.gcMillis() - gc0) / 1e3);
            long peak = Meters.peakHeap();
            live.stop();
            System.out.printf("restore PostgreSQL CPU: %.2fs (every server process; the restore ran %.2fs on %d cores)%n",
                    (Meters.serverCpuMillis(pg) - pgCpu0) / 1e3, restore, Runtime.getRuntime().availableProcessors());

            try (Connection c = pg.connect("tgt"); Statement st = c.createStatement()) {
                Path copyFile = dir.resolve("final.copy");
                try (OutputStream out = new FileOutputStream(copyFile.toFile())) {
                    c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY restored TO STDOUT", out);
                }
                // the baseline table is defined as the restored one (the restore keeps the definition: types, NOT NULL,
                // the primary key, with -Dindexes the secondary indexes and CHECK), logged, in the same database: (a) COPY
                // into it with its key (and indexes) in place, (b) COPY into it bare, then ADD PRIMARY KEY and the rest
                // (pg_restore's order); the better of the two is the target's baseline
                st.execute("CREATE TABLE copy_pk (id bigint PRIMARY KEY, v integer NOT NULL, s text" + SyntheticArchive.extraDefs() + ")" + secondary("copy_pk"));
                checkpoint(pg);
                double copyPk = Baselines.copyIn(c, "COPY copy_pk FROM STDIN", copyFile, null);
                st.execute("CREATE TABLE copy_late (id bigint, v integer NOT NULL, s text" + SyntheticArchive.extraDefs() + ")");
                checkpoint(pg);
                long pgCopy0 = Meters.serverCpuMillis(pg);
                double copyLate = Baselines.copyIn(c, "COPY copy_late FROM STDIN", copyFile, "ALTER TABLE copy_late ADD PRIMARY KEY (id)"
                        + secondary("copy_late"));
                long pgCopy = Meters.serverCpuMillis(pg) - pgCopy0;
                double copy = Math.min(copyPk, copyLate);
                st.execute("CREATE TABLE copy_split (id bigint, v integer NOT NULL, s text" + SyntheticArchive.extraDefs() + ")");
                checkpoint(pg);
                double copySplit = Baselines.splitCopyIn(pg, c, "copy_split", copyFile, "ALTER TABLE copy_split ADD PRIMARY KEY (id)"
                        + secondary("copy_split"));

                st.execute("CREATE TABLE replayed (id bigint PRIMARY KEY, v integer NOT NULL, s text" + SyntheticArchive.extraDefs() + ")");
                t0 = System.nanoTime();
                try (InputStream in = DumpFormat.openVerified(store.open(new ArchiveLayout(PREFIX).dumpData(TABLE, d)),
                        io.pgkb.schemas.dump.DumpManifest.fromJson(store.get(new ArchiveLayout(PREFIX).dumpManifest(TABLE, d)), "manifest"), "data")) {
                    c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY replayed FROM STDIN", in, 1 << 16);
                }
                double load = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                Baselines.replay(c, rows, changes, hot, replayN);
                double statements = (System.nanoTime() - t0) / 1e9;
                double replay = load + statements;
                double replayFull = replayN < changes ? load + statements * changes / replayN : replay;

                System.out.printf("restore: %.1fs for %d rows + %d changes (heap: at most %d MiB still used after a GC, %d GCs; "
                                + "sum of the heap pools' peaks incl. garbage %d MiB; max %d MiB)%n", restore, rows, changes,
                        live.max() >> 20, live.count(), peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
                long finalRows = Long.parseLong(one(st, "SELECT count(*) FROM restored"));
                System.out.printf("COPY of the final state alone (%d rows, same table definition, logged, one transaction): "
                        + "into the table with its primary key %.2fs, into the bare table + ADD PRIMARY KEY %.2fs%n", finalRows, copyPk, copyLate);
                System.out.printf("restore / COPY = %.2f against the faster (target <= 2); %.2f against COPY with the key in place, "
                        + "%.2f against COPY + ADD PRIMARY KEY%n", restore / copy, restore / copyPk, restore / copyLate);
                System.out.printf("baseline COPY + ADD PRIMARY KEY: PostgreSQL CPU %.2fs (its index build's worker included)%n", pgCopy / 1e3);
                System.out.printf("for comparison, the final state's COPY spread over %d connections + ADD PRIMARY KEY: %.2fs "
                        + "(restore / that = %.2f)%n", LOAD_CONNECTIONS, copySplit, restore / copySplit);
                System.out.printf("statement-by-statement replay: %.1fs%s -> replay / restore = %.1fx (target >= 10)%n", replayFull,
                        replayN < changes ? " (dump load " + String.format("%.1fs", load) + " + statements extrapolated from " + replayN + " changes in " + String.format("%.1fs", statements) + ")" : "", replayFull / restore);
                if (replayN >= changes) {
                    String a = one(st, "SELECT md5(string_agg(r::text, ',' ORDER BY id)) FROM restored r");
                    String b = one(st, "SELECT md5(string_agg(r::text, ',' ORDER BY id)) FROM replayed r");
                    System.out.println("restored == replayed: " + a.equals(b));
                    if (!a.equals(b)) {
                        throw new IllegalStateException("restore and statement replay disagree");
                    }
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void checkpoint(LocalPostgres pg) throws Exception {
        try (Connection c = pg.connect("tgt"); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        }
    }

    private static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The bench table restored to {@code target} as public.{@code name}, as {@code pgkb restore --to-lsn} does. */
    private static void restore(ObjectStore store, PgUrl tgt, int batchKeys, long target, String name) throws Exception {
        new Restore(store, PREFIX, tgt, new RestoreTuning(1, batchKeys, LOAD_CONNECTIONS), System.out).run(List.of(new TableTarget(TABLE, new TableId("public", name))),
                new RestoreTargetSpec(Lsn.of(target).toString(), null, null, false), false, false);
    }


}
