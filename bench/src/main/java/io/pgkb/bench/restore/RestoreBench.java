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
import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.Topics;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.LocalPostgres;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
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
    private static final TableId TABLE = new TableId("public", "bench");
    private static final String PREFIX = "bench";
    /** Extra text columns e1..eN (-Dwide=N). */
    private static final int WIDE = Integer.getInteger("wide", 0);
    /** {@code -DloadConnections=N}: the restore's {@code --load-connections} (the baseline's COPY always uses one). */
    private static final int LOAD_CONNECTIONS = Integer.getInteger("loadConnections", RestoreTuning.DEFAULT_LOAD_CONNECTIONS);
    /** {@code -Dindexes=true}: two secondary indexes and a CHECK constraint on the table. */
    private static final boolean INDEXES = Boolean.getBoolean("indexes");

    /** The secondary indexes and CHECK constraint of -Dindexes on {@code table}, as statements; empty without. */
    private static String secondary(String table) {
        return INDEXES ? "; CREATE INDEX ON " + table + " (v); CREATE INDEX ON " + table + " (s); ALTER TABLE " + table
                + " ADD CHECK (v >= 0)" : "";
    }

    /** {@code ", e1 text, e2 text, ..."}: the extra columns as a table definition has them. */
    private static String extraDefs() {
        StringBuilder b = new StringBuilder();
        for (int k = 1; k <= WIDE; k++) {
            b.append(", e").append(k).append(" text");
        }
        return b.toString();
    }

    /** Extra column k's value in a row whose v is {@code v}. */
    static String extra(int k, int v) {
        return "e" + k + "-" + v;
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
                st.execute("CREATE TABLE bench (id bigint PRIMARY KEY, v integer NOT NULL, s text" + extraDefs() + ")" + secondary("bench"));
                StringBuilder extras = new StringBuilder();
                for (int k = 1; k <= WIDE; k++) {
                    extras.append(", 'e").append(k).append("-' || (g % 1000)");
                }
                st.execute("INSERT INTO bench SELECT g, g % 1000, 'row ' || g" + extras + " FROM generate_series(1, " + rows + ") g");
            }
            long t0 = System.nanoTime();
            Lsn d = new DumpTaker(PgUrl.parse(pg.uri("src")), store, new ArchiveLayout(PREFIX)).take(List.of(TABLE), DumpListener.NONE)
                    .consistentPoint();
            System.out.printf("dump: %d rows at %s in %.1fs%n", rows, d, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            long target = writeChanges(store, d.asLong(), rows, changes, hot, dir);
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
            resetPeak();
            AfterGc live = new AfterGc();
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long pgCpu0 = serverCpuMillis(pg);
            long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            long gc0 = gcMillis();
            t0 = System.nanoTime();
            restore(store, tgt, batchKeys, target, "restored");
            double restore = (System.nanoTime() - t0) / 1e9;
            // this JVM's CPU (every thread: restore, JIT compilers, GC) while it restored, and the JIT's part of it:
            // on a busy machine the wall time stretches, these much less
            System.out.printf("restore JVM CPU: %.2fs; JIT compiling %.2fs, GC %.2fs (wall, summed over threads; PostgreSQL's own CPU not "
                    + "included)%n", (os.getProcessCpuTime() - cpu0) / 1e9,
                    (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0) / 1e3, (gcMillis() - gc0) / 1e3);
            long peak = peakHeap();
            live.stop();
            System.out.printf("restore PostgreSQL CPU: %.2fs (every server process; the restore ran %.2fs on %d cores)%n",
                    (serverCpuMillis(pg) - pgCpu0) / 1e3, restore, Runtime.getRuntime().availableProcessors());

            try (Connection c = pg.connect("tgt"); Statement st = c.createStatement()) {
                Path copyFile = dir.resolve("final.copy");
                try (OutputStream out = new FileOutputStream(copyFile.toFile())) {
                    c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY restored TO STDOUT", out);
                }
                // the baseline table is defined as the restored one (the restore keeps the definition: types, NOT NULL,
                // the primary key, with -Dindexes the secondary indexes and CHECK), logged, in the same database: (a) COPY
                // into it with its key (and indexes) in place, (b) COPY into it bare, then ADD PRIMARY KEY and the rest
                // (pg_restore's order); the better of the two is the target's baseline
                st.execute("CREATE TABLE copy_pk (id bigint PRIMARY KEY, v integer NOT NULL, s text" + extraDefs() + ")" + secondary("copy_pk"));
                checkpoint(pg);
                double copyPk = copyIn(c, "COPY copy_pk FROM STDIN", copyFile, null);
                st.execute("CREATE TABLE copy_late (id bigint, v integer NOT NULL, s text" + extraDefs() + ")");
                checkpoint(pg);
                long pgCopy0 = serverCpuMillis(pg);
                double copyLate = copyIn(c, "COPY copy_late FROM STDIN", copyFile, "ALTER TABLE copy_late ADD PRIMARY KEY (id)"
                        + secondary("copy_late"));
                long pgCopy = serverCpuMillis(pg) - pgCopy0;
                double copy = Math.min(copyPk, copyLate);
                st.execute("CREATE TABLE copy_split (id bigint, v integer NOT NULL, s text" + extraDefs() + ")");
                checkpoint(pg);
                double copySplit = splitCopyIn(pg, c, "copy_split", copyFile, "ALTER TABLE copy_split ADD PRIMARY KEY (id)"
                        + secondary("copy_split"));

                st.execute("CREATE TABLE replayed (id bigint PRIMARY KEY, v integer NOT NULL, s text" + extraDefs() + ")");
                t0 = System.nanoTime();
                try (InputStream in = DumpFormat.openVerified(store.open(new ArchiveLayout(PREFIX).dumpData(TABLE, d)),
                        io.pgkb.schemas.dump.DumpManifest.fromJson(store.get(new ArchiveLayout(PREFIX).dumpManifest(TABLE, d)), "manifest"), "data")) {
                    c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY replayed FROM STDIN", in, 1 << 16);
                }
                double load = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                replay(c, rows, changes, hot, replayN);
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

    /** The synthetic change stream, deterministic from its seed; calls back per change: op, id, v. */
    interface Sink {
        void change(int i, Op op, long id, int v) throws Exception;
    }

    static void generate(int rows, int changes, int hot, Sink sink) throws Exception {
        Random r = new Random(7);
        BitSet present = new BitSet(rows + changes + 2);
        present.set(1, rows + 1);
        long nextNew = rows + 1L;
        for (int i = 0; i < changes; i++) {
            double p = r.nextDouble();
            long id;
            if (p < 0.8) {
                id = 1 + r.nextInt(hot);
                if (!present.get((int) id)) {
                    present.set((int) id);
                    sink.change(i, Op.INSERT, id, r.nextInt(1000));
                } else if (p < 0.6) {
                    sink.change(i, Op.UPDATE, id, r.nextInt(1000));
                } else {
                    present.clear((int) id);
                    sink.change(i, Op.DELETE, id, 0);
                }
            } else {
                id = nextNew++;
                present.set((int) id);
                sink.change(i, Op.INSERT, id, r.nextInt(1000));
            }
        }
    }

    private static long writeChanges(ObjectStore store, long d, int rows, int changes, int hot, Path dir) throws Exception {
        ArchiveLayout layout = new ArchiveLayout(PREFIX);
        List<ColumnDef> columns = new ArrayList<>(List.of(new ColumnDef("id", 20, -1, "bigint", true),
                new ColumnDef("v", 23, -1, "integer", false), new ColumnDef("s", 25, -1, "text", false)));
        for (int k = 1; k <= WIDE; k++) {
            columns.add(new ColumnDef("e" + k, 25, -1, "text", false));
        }
        RelationDef rel = new RelationDef(1, TABLE, 'd', columns);
        ChangeEnvelopes env = new ChangeEnvelopes(rel);
        for (Schema s : new Schema[] {env.schemas().key(), env.schemas().value()}) {
            store.put(layout.schema(SingleObjectCodec.fingerprint(s)), s.toString().getBytes(StandardCharsets.UTF_8));
        }
        String topic = TABLE.topic(PREFIX);
        int perSegment = 200_000;
        SegmentWriter[] w = {null};
        long base = d + 1000;
        long[] last = {0};
        generate(rows, changes, hot, (i, op, id, v) -> {
            if (i % perSegment == 0) {
                finish(store, layout, w[0]);
                // as the archiver does: it knows the writer schemas from _schemas and stores rows column by column
                w[0] = new SegmentWriter(dir.resolve("spool-" + i), topic, 0,
                        new MapSchemaResolver(env.schemas().key(), env.schemas().value()));
            }
            long commit = base + (i / 10) * 1000L;
            long seq = i % 10;
            List<String> values = new ArrayList<>();
            values.add(Long.toString(id));
            values.add(op == Op.DELETE ? null : Integer.toString(v));
            values.add(op == Op.DELETE ? null : "changed " + i);
            for (int k = 1; k <= WIDE; k++) {
                values.add(op == Op.DELETE ? null : extra(k, v));
            }
            GenericRecord row = env.row(values);
            GenericRecord value = op == Op.DELETE
                    ? env.value(op, row, null, List.of(), new ChangeSource(commit, commit, 1000 + i / 10, 1_700_000_000_000_000L + i, seq, TABLE))
                    : env.value(op, null, row, List.of(), new ChangeSource(commit, commit, 1000 + i / 10, 1_700_000_000_000_000L + i, seq, TABLE));
            byte[] k = SingleObjectCodec.encode(env.schemas().key(), env.key(row));
            byte[] val = SingleObjectCodec.encode(env.schemas().value(), value);
            w[0].append(new ArchivedRecord(i, 0, k, val, List.of(), commit, seq));
            last[0] = commit;
        });
        finish(store, layout, w[0]);
        // one CONFIRM after the last transaction bounds partition 0 at `changes`
        Schema progress = new Schema.Parser().parse(RestoreBench.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc"));
        GenericRecord pr = new GenericData.Record(progress);
        pr.put("kind", new GenericData.EnumSymbol(progress.getField("kind").schema(), "CONFIRM"));
        pr.put("confirmed_lsn", last[0] + 100);
        pr.put("last_commit_lsn", last[0]);
        pr.put("commit_time", 1_800_000_000_000_000L);
        GenericRecord po = new GenericData.Record(progress.getField("offsets").schema().getElementType());
        po.put("topic", topic);
        po.put("partition", 0);
        po.put("next_offset", (long) changes);
        pr.put("offsets", List.of(po));
        pr.put("slot", "bench");
        pr.put("written_at", 1_800_000_000_000_000L);
        try (SegmentWriter pw = new SegmentWriter(dir.resolve("spool-progress"), new Topics(PREFIX).progress(), 0)) {
            pw.append(new ArchivedRecord(0, 0, null, SingleObjectCodec.encode(progress, pr), List.of(), last[0] + 100, 0));
            try (ObjectStore.ObjectWriter out = store.create(layout.progressSegmentsDir(0) + ArchiveLayout.segmentName(0, 0))) {
                pw.finish(out);
                out.commit();
            }
        }
        return last[0];
    }

    private static void finish(ObjectStore store, ArchiveLayout layout, SegmentWriter w) throws Exception {
        if (w == null) {
            return;
        }
        try (ObjectStore.ObjectWriter out = store.create(layout.segmentsDir(TABLE, 0) + ArchiveLayout.segmentName(w.firstOffset(), w.lastOffset()))) {
            w.finish(out);
            out.commit();
        }
    }

    /** The baseline: one statement per change, one transaction per 10 changes, as the source ran them. */
    private static void replay(Connection c, int rows, int changes, int hot, int limit) throws Exception {
        c.setAutoCommit(false);
        StringBuilder cols = new StringBuilder();
        StringBuilder marks = new StringBuilder();
        StringBuilder sets = new StringBuilder();
        for (int k = 1; k <= WIDE; k++) {
            cols.append(", e").append(k);
            marks.append(", ?");
            sets.append(", e").append(k).append(" = ?");
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO replayed (id, v, s" + cols + ") VALUES (?, ?, ?" + marks + ")");
             PreparedStatement upd = c.prepareStatement("UPDATE replayed SET v = ?, s = ?" + sets + " WHERE id = ?");
             PreparedStatement del = c.prepareStatement("DELETE FROM replayed WHERE id = ?")) {
            generate(rows, changes, hot, (i, op, id, v) -> {
                if (i >= limit) {
                    return;
                }
                switch (op) {
                    case INSERT -> {
                        ins.setLong(1, id);
                        ins.setInt(2, v);
                        ins.setString(3, "changed " + i);
                        for (int k = 1; k <= WIDE; k++) {
                            ins.setString(3 + k, extra(k, v));
                        }
                        ins.executeUpdate();
                    }
                    case UPDATE -> {
                        upd.setInt(1, v);
                        upd.setString(2, "changed " + i);
                        for (int k = 1; k <= WIDE; k++) {
                            upd.setString(2 + k, extra(k, v));
                        }
                        upd.setLong(3 + WIDE, id);
                        upd.executeUpdate();
                    }
                    default -> {
                        del.setLong(1, id);
                        del.executeUpdate();
                    }
                }
                if (i % 10 == 9) {
                    c.commit();
                }
            });
            c.commit();
        }
        c.setAutoCommit(true);
    }

    /**
     * Seconds to COPY {@code file} into {@code table} spread over LOAD_CONNECTIONS connections the way the restore
     * spreads its load ({@link SplitCopy}, {@code c} the first), then run {@code after} on {@code c}, in its transaction.
     */
    private static double splitCopyIn(LocalPostgres pg, Connection c, String table, Path file, String after) throws Exception {
        long t0 = System.nanoTime();
        c.setAutoCommit(false);
        try (SplitCopy copy = new SplitCopy(c, () -> {
                 Connection other = pg.connect("tgt");
                 other.setAutoCommit(false);
                 return other;
             }, LOAD_CONNECTIONS, "COPY " + table + " FROM STDIN");
             InputStream in = Files.newInputStream(file)) {
            copy.writeRows(in);
            copy.finish();
        }
        try (Statement st = c.createStatement()) {
            st.execute(after);
        }
        c.commit();
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * CPU of the server so far, in ms: the postmaster and every process under it, alive (from /proc) or ended
     * (counted into its parent's children times when reaped). Linux only; -1 elsewhere.
     */
    private static long serverCpuMillis(LocalPostgres pg) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid")).get(0).strip());
            return cpuTicks(postmaster, true) * 1000 / 100; // USER_HZ is 100 on Linux
        } catch (Exception e) {
            return -1;
        }
    }

    /** utime + stime + cutime + cstime of {@code pid}, plus (with {@code tree}) those of its live children. */
    private static long cpuTicks(long pid, boolean tree) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        if (tree) {
            Path children = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
            for (String child : Files.readString(children).trim().split("\\s+")) {
                if (!child.isEmpty()) {
                    try {
                        ticks += cpuTicks(Long.parseLong(child), false);
                    } catch (IOException gone) {
                        // ended meanwhile: counted in the postmaster's children times once reaped
                    }
                }
            }
        }
        return ticks;
    }

    private static void checkpoint(LocalPostgres pg) throws Exception {
        try (Connection c = pg.connect("tgt"); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        }
    }

    /** Seconds to COPY {@code file} in with {@code sql}, then run {@code after} (if any), in one transaction. */
    private static double copyIn(Connection c, String sql, Path file, String after) throws Exception {
        long t0 = System.nanoTime();
        c.setAutoCommit(false);
        try (InputStream in = Files.newInputStream(file)) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, in, 1 << 16);
        }
        if (after != null) {
            try (Statement st = c.createStatement()) {
                st.execute(after);
            }
        }
        c.commit();
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Heap in use right after each garbage collection during the restore (the live set plus what the collector left),
     * the most of it: what the restore needs, unlike the pools' peaks, which count garbage not yet collected.
     */
    static final class AfterGc implements javax.management.NotificationListener {
        private final AtomicLong max = new AtomicLong();
        private final AtomicLong count = new AtomicLong();
        private volatile boolean on = true;

        AfterGc() {
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((javax.management.NotificationEmitter) gc).addNotificationListener(this, null, null);
            }
        }

        @Override
        public void handleNotification(javax.management.Notification n, Object handback) {
            if (!on || !n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                return;
            }
            var info = com.sun.management.GarbageCollectionNotificationInfo.from((javax.management.openmbean.CompositeData) n.getUserData());
            long used = 0;
            for (java.lang.management.MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                used += u.getUsed();
            }
            // the non-heap pools (metaspace, code cache) are in the map too: count heap pools only
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() != MemoryType.HEAP && info.getGcInfo().getMemoryUsageAfterGc().containsKey(p.getName())) {
                    used -= info.getGcInfo().getMemoryUsageAfterGc().get(p.getName()).getUsed();
                }
            }
            max.accumulateAndGet(used, Math::max);
            count.incrementAndGet();
        }

        void stop() {
            on = false;
        }

        long max() {
            return max.get();
        }

        long count() {
            return count.get();
        }
    }

    /** The bench table restored to {@code target} as public.{@code name}, as {@code pgkb restore --to-lsn} does. */
    private static void restore(ObjectStore store, PgUrl tgt, int batchKeys, long target, String name) throws Exception {
        new Restore(store, PREFIX, tgt, new RestoreTuning(1, batchKeys, LOAD_CONNECTIONS), System.out).run(List.of(new TableTarget(TABLE, new TableId("public", name))),
                new RestoreTargetSpec(Lsn.of(target).toString(), null, null, false), false, false);
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    private static void resetPeak() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

}
