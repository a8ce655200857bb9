package io.pgkb.testkit.faults;

import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault campaign (issue 16 §1): one producer and two archivers of one group, each the real {@code pgkb} jar in its
 * own JVM, under {@link MixedWorkload}; faults injected one after the other at random moments drawn from the plan's
 * seed; quiesced checkpoints (a mark) before, during (workload paused) and after the storm, each restored from the
 * archive into a fresh database and compared row by row with the source; {@code verify}; duplicates counted in Kafka.
 */
public final class FaultCampaign {
    private static final Logger log = LoggerFactory.getLogger(FaultCampaign.class);
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(5);

    private final FaultPlan plan;
    private final LocalPostgres pg;
    private final LocalKafka kafka;
    private final CampaignStore store;
    private final Path jar;
    private final Path work;
    private final Commands commands;
    private final Random random;
    private final String name;
    private final SlotPositions positions;
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final Map<String, Map<String, TableSnapshot>> checkpoints = new LinkedHashMap<>();
    private final List<Integer> dumpExits = new ArrayList<>();
    private final AtomicLong maxLag = new AtomicLong();
    private long confirmMillis;
    private String confirmSlowest = "none";
    private long confirmFromStartMillis;
    private Supervised producer;
    private final List<Supervised> archivers = new ArrayList<>();
    private SpoolFiller spool;
    private MixedWorkload workload;

    /**
     * @param jar      the shaded pgkb jar the producer and archivers run from
     * @param work     a directory for logs, the spool and (directory store) the archive
     * @param commands how dump, restore and verify are run
     */
    public FaultCampaign(FaultPlan plan, LocalPostgres pg, LocalKafka kafka, CampaignStore store, Path jar, Path work,
                         Commands commands) {
        this.plan = plan;
        this.pg = pg;
        this.kafka = kafka;
        this.store = store;
        this.jar = jar;
        this.work = work;
        this.commands = commands;
        this.random = new Random(plan.seed());
        this.name = "faults" + Long.toHexString(plan.seed() & 0xffffffL) + "_" + Long.toHexString(System.nanoTime() & 0xfffL);
        this.positions = new SlotPositions(pg, name, name); // the campaign's database, slot and prefix share its name
    }

    public CampaignFigures run() throws Exception {
        long t0 = System.nanoTime();
        say("seed %d (repeat this campaign with the same seed), database %s, workdir %s", plan.seed(), name, work);
        pg.createDatabase(name);
        try (Connection c = connect()) {
            MixedWorkload.createTables(c);
        }
        spool = SpoolFiller.mount(work.resolve("spool"), plan.count(Fault.SPOOL_FULL) > 0);
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "faults-watcher");
            t.setDaemon(true);
            return t;
        });
        workload = new MixedWorkload(this::connectUnchecked, plan.txPause());
        // a campaign stopped by Ctrl-C or a failed test must not leave pgkb JVMs or the spool mount behind
        Thread cleanup = new Thread(this::killComponents, "faults-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            startComponents(watcher);
            workload.start(plan.sessions());
            checkpoint("before");
            storm();
            checkpoint("after");
            workload.close();
            return figures(t0);
        } finally {
            workload.close();
            watcher.shutdownNow();
            stopComponents();
            spool.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private void killComponents() {
        if (producer != null) {
            producer.kill();
        }
        archivers.forEach(Supervised::kill);
        try {
            spool.close();
        } catch (Exception e) {
            log.warn("cannot release the spool: {}", e.toString());
        }
    }

    private void startComponents(ScheduledExecutorService watcher) throws Exception {
        producer = new Supervised("producer", java("produce", "--pg", pg.uri(name), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", name, "--slot", name, "--publication", name, "--partitions", "2", "--refresh-interval", "2s"),
                store.environment(), work.resolve("producer.log"));
        producer.start();
        await("the producer ready", () -> producer.linesContaining("producer ready") > 0);
        List<String> tables = new ArrayList<>(MixedWorkload.TABLES);
        dump(tables);
        for (int i = 1; i <= 2; i++) {
            List<String> args = new ArrayList<>(List.of("archive", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", name,
                    "--group", name, "--store", store.uri(), "--segment-max-age", "2s", "--spool-dir", spool.directory().toString()));
            args.addAll(store.options());
            if (plan.archiverSessionTimeout() != null) {
                Path config = work.resolve("archiver-kafka.properties");
                Files.writeString(config, "session.timeout.ms=" + plan.archiverSessionTimeout().toMillis() + "\n");
                args.addAll(List.of("--kafka-config", config.toString()));
            }
            Supervised a = new Supervised("archiver-" + i, java(args.toArray(String[]::new)), store.environment(),
                    work.resolve("archiver-" + i + ".log"));
            a.start();
            archivers.add(a);
        }
        watcher.scheduleWithFixedDelay(() -> {
            producer.restartIfExited();
            archivers.forEach(Supervised::restartIfExited);
        }, 250, 250, TimeUnit.MILLISECONDS);
        watcher.scheduleWithFixedDelay(this::sampleLag, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** The faults in an order drawn from the seed; the late table, the TRUNCATE and the dump in the first half. */
    private void storm() throws Exception {
        List<Fault> faults = new ArrayList<>();
        for (Fault f : Fault.values()) {
            if (f != Fault.DUMP) {
                int n = f == Fault.S3_OUTAGE && !store.canFail() ? 0 : f == Fault.SPOOL_FULL && !spool.canFill() ? 0 : plan.count(f);
                faults.addAll(Collections.nCopies(n, f));
            }
        }
        Collections.shuffle(faults, random);
        int half = (faults.size() + 1) / 2;
        // both before the "during" checkpoint, which can restore the late table only from a dump taken after its creation
        int truncateAt = random.nextInt(half);
        int dumpAt = plan.count(Fault.DUMP) > 0 ? random.nextInt(half) : -1;
        workload.createLateTable();
        say("created table %s: written to from now on", MixedWorkload.LATE);
        for (int i = 0; i < faults.size(); i++) {
            if (i == half) {
                checkpoint("during");
            }
            if (i == truncateAt) {
                gap();
                workload.truncateScratch();
                say("TRUNCATE public.scratch");
            }
            if (i == dumpAt) {
                gap();
                dumpDuringStorm();
            }
            gap();
            inject(faults.get(i), i + 1, faults.size());
        }
        if (faults.size() <= half) {
            checkpoint("during");
        }
    }

    private void inject(Fault f, int n, int of) throws Exception {
        long t0 = System.nanoTime();
        String what = f.label();
        switch (f) {
            case PRODUCER_KILL -> {
                long pre = walLsn();
                long readyBefore = producer.linesContaining("producer ready");
                long started = producer.kill9AndRestart();
                await("the producer ready again", () -> producer.linesContaining("producer ready") > readyBefore);
                long ready = System.nanoTime();
                awaitConfirmedPast(pre, "producer kill");
                long now = System.nanoTime();
                recordConfirm(now - ready, "producer kill #" + n);
                confirmFromStartMillis = Math.max(confirmFromStartMillis, (now - started) / 1_000_000);
                what += String.format(" (process start → ready %d ms, ready → confirmed %d ms)", (ready - started) / 1_000_000,
                        (now - ready) / 1_000_000);
            }
            case ARCHIVER_KILL -> {
                Supervised a = archivers.get(random.nextInt(archivers.size()));
                a.kill9AndRestart();
                what += " " + a.name();
            }
            case BROKER_RESTART -> {
                long pre = walLsn();
                kafka.stop();
                TimeUnit.MILLISECONDS.sleep(plan.brokerDown().toMillis()); // the outage itself
                kafka.startAgain();
                what += timeToConfirm(pre, "broker restart #" + n);
            }
            case PG_RESTART -> {
                long pre = walLsn();
                pg.crash(); // SIGKILL of every server process: what an immediate shutdown leaves, recovery at start
                pg.startAgain();
                what += timeToConfirm(pre, "PostgreSQL restart #" + n);
            }
            case S3_OUTAGE -> {
                store.outageStart().run();
                TimeUnit.MILLISECONDS.sleep(plan.outage().toMillis()); // the outage itself
                store.outageEnd().run();
            }
            case SPOOL_FULL -> {
                long filled = spool.fill();
                TimeUnit.MILLISECONDS.sleep(plan.outage().toMillis()); // the spool stays full this long
                spool.release();
                what += " (" + filled / 1024 + " KiB written to fill it)";
            }
            default -> throw new IllegalStateException("not a storm fault: " + f);
        }
        injected.merge(f, 1, Integer::sum);
        say("fault %d/%d: %s, %d ms", n, of, what, (System.nanoTime() - t0) / 1_000_000);
    }

    private String timeToConfirm(long pre, String what) throws Exception {
        long back = System.nanoTime();
        awaitConfirmedPast(pre, what);
        long ms = (System.nanoTime() - back) / 1_000_000;
        recordConfirm(ms * 1_000_000, what);
        return " (back → confirmed " + ms + " ms)";
    }

    private void recordConfirm(long nanos, String what) {
        long ms = nanos / 1_000_000;
        if (ms > confirmMillis) {
            confirmMillis = ms;
            confirmSlowest = what;
        }
    }

    private void dumpDuringStorm() throws Exception {
        List<String> tables = new ArrayList<>(MixedWorkload.TABLES);
        tables.add(MixedWorkload.LATE);
        // the late table must be published first: rows written before that reach the backup through this dump only
        await("the late table published", () -> positions.queryLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = '"
                + name + "' AND tablename = 'late'") == 1);
        dump(tables);
        injected.merge(Fault.DUMP, 1, Integer::sum);
    }

    private void dump(List<String> tables) throws Exception {
        List<String> args = new ArrayList<>(List.of("dump", "--pg", pg.uri(name), "--store", store.uri(), "--topic-prefix", name,
                "--publication", name, "--tables", String.join(",", tables)));
        args.addAll(store.options());
        int code = commands.run(args);
        dumpExits.add(code);
        say("pgkb dump of %d tables: exit %d", tables.size(), code);
    }

    /** Quiesce the workload, read every table, write the mark cp-NAME, resume. */
    private void checkpoint(String label) throws Exception {
        workload.pause();
        try {
            Map<String, TableSnapshot> tables = new LinkedHashMap<>();
            retryingSql(() -> {
                tables.clear();
                try (Connection c = connect()) {
                    for (String t : tablesNow()) {
                        tables.put(t, TableSnapshot.read(c, t));
                    }
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT pg_logical_emit_message(true, 'pgkb.mark', 'cp-" + label + "')");
                    }
                }
                return null;
            });
            checkpoints.put(label, tables);
            say("checkpoint %s: mark cp-%s, %d tables, %d rows", label, label, tables.size(),
                    tables.values().stream().mapToLong(s -> s.rows().size()).sum());
        } finally {
            workload.resume();
        }
    }

    private List<String> tablesNow() {
        List<String> t = new ArrayList<>(MixedWorkload.TABLES);
        if (workload.lateCreated()) {
            t.add(MixedWorkload.LATE);
        }
        return t;
    }

    private CampaignFigures figures(long t0) throws Exception {
        long rowsCompared = 0;
        long lost = 0;
        long extra = 0;
        int differing = 0;
        int tablesCompared = 0;
        for (var cp : checkpoints.entrySet()) {
            String target = name + "_cp_" + cp.getKey();
            pg.createDatabase(target);
            List<String> args = new ArrayList<>(List.of("restore", "--store", store.uri(), "--topic-prefix", name, "--target",
                    pg.uri(target), "--tables", String.join(",", cp.getValue().keySet()), "--to-mark", "cp-" + cp.getKey()));
            args.addAll(store.options());
            List<String> dryRun = new ArrayList<>(args);
            dryRun.add("--dry-run");
            // the archivers still upload the last segments: the mark is restorable once the archive covers it
            await("the archive to cover cp-" + cp.getKey(), () -> commands.run(dryRun) == 0);
            int code = commands.run(args);
            if (code != 0) {
                throw new IllegalStateException("restore to cp-" + cp.getKey() + " exited " + code);
            }
            try (Connection c = pg.connect(target)) {
                for (TableSnapshot source : cp.getValue().values()) {
                    TableSnapshot restored = TableSnapshot.read(c, source.table());
                    rowsCompared += source.rows().size();
                    lost += source.lostIn(restored);
                    extra += source.extraIn(restored);
                    tablesCompared++;
                    if (!source.md5().equals(restored.md5())) {
                        differing++;
                        say("DIFFERS: %s at cp-%s: %d rows lost, %d extra", source.table(), cp.getKey(), source.lostIn(restored),
                                source.extraIn(restored));
                    }
                }
            }
            say("restored cp-%s: %d tables compared", cp.getKey(), cp.getValue().size());
        }
        List<String> verify = new ArrayList<>(List.of("verify", "--store", store.uri(), "--topic-prefix", name));
        verify.addAll(store.options());
        int verifyExit = commands.run(verify);
        KafkaDuplicates.Count dup = KafkaDuplicates.count(kafka.bootstrapServers(), name);
        Map<String, List<String>> exits = new LinkedHashMap<>();
        exits.put(producer.name(), producer.exits());
        archivers.forEach(a -> exits.put(a.name(), a.exits()));
        exits.values().removeIf(List::isEmpty);
        return new CampaignFigures(plan.seed(), injected, checkpoints.size(), tablesCompared, rowsCompared, lost, extra, differing,
                dup.records(), dup.duplicates(), confirmMillis, confirmSlowest, confirmFromStartMillis, maxLag.get(), exits,
                verifyExit, dumpExits, workload.transactions(), (System.nanoTime() - t0) / 1_000_000_000L);
    }

    private void stopComponents() {
        List<Supervised> all = new ArrayList<>(archivers);
        if (producer != null) {
            all.add(producer);
        }
        all.forEach(Supervised::terminate); // SIGTERM to all at once: each flushes and exits on its own
        for (Supervised s : all) {
            try {
                int code = s.stop();
                say("%s stopped with SIGTERM: exit %d", s.name(), code);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + name + "'");
        } catch (SQLException e) {
            log.warn("cannot drop the campaign's slot {}: {}", name, e.toString());
        }
    }

    private void gap() throws InterruptedException {
        long min = plan.gapMin().toMillis();
        long max = plan.gapMax().toMillis();
        TimeUnit.MILLISECONDS.sleep(min + (max > min ? (long) (random.nextDouble() * (max - min)) : 0)); // a random moment
    }

    private void awaitConfirmedPast(long lsn, String after) throws Exception {
        await("the slot confirmed past the position before the " + after, () -> positions.confirmedPast(lsn));
    }

    private void sampleLag() {
        try {
            long lag = positions.lagBytes();
            maxLag.accumulateAndGet(lag, Math::max);
        } catch (SQLException | RuntimeException e) {
            // PostgreSQL restarting: no sample
        }
    }

    private long walLsn() throws Exception {
        return retryingSql(positions::walLsn);
    }

    private <T> T retryingSql(Callable<T> body) throws Exception {
        long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
        while (true) {
            try {
                return body.call();
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(200); // PostgreSQL is restarting
            }
        }
    }

    private void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (SQLException | RuntimeException e) {
                // a service is still coming back; ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + RECOVERY_LIMIT.toMinutes() + " min for " + what + "; logs in " + work);
            }
            TimeUnit.MILLISECONDS.sleep(100); // polling interval of the condition
        }
    }

    private Connection connect() throws SQLException {
        return pg.connect(name);
    }

    private Connection connectUnchecked() {
        try {
            return connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(plan.jvmOptions());
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void say(String format, Object... args) {
        System.out.printf("faults: " + format + "%n", args);
        System.out.flush();
    }
}
