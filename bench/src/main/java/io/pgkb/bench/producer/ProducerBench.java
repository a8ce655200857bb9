package io.pgkb.bench.producer;

import io.pgkb.bench.PgClientTools;
import io.pgkb.producer.ProduceCommand;
import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;
import picocli.CommandLine;

/**
 * Producer benchmarks on a real local PostgreSQL and Kafka (run by hand: bench/producer.sh):
 * <ol>
 * <li>throughput: the same WAL (one slot copied twice with pg_copy_logical_replication_slot) drained by a bare pgjdbc
 * loop and published by the producer into Kafka with acks=all; prints producer ÷ drain (target ≥ 0.6);</li>
 * <li>one transaction of {@code bigRows} rows through a producer JVM with -Xmx256m;</li>
 * <li>pgbench TPS with the producer running ÷ without.</li>
 * </ol>
 * Sizes from system properties: {@code rows} (default 200000), {@code bigRows} (2000000), {@code pgbenchSeconds} (30),
 * {@code rounds} (2: the throughput test once cold, then again warm).
 */
public final class ProducerBench {
    private ProducerBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            System.exit(new CommandLine(new ProduceCommand()).execute(rest));
        }
        int rows = Integer.getInteger("rows", 200_000);
        int bigRows = Integer.getInteger("bigRows", 2_000_000);
        int pgbenchSeconds = Integer.getInteger("pgbenchSeconds", 30);
        try (LocalPostgres pg = LocalPostgres.start(); LocalKafka kafka = LocalKafka.start()) {
            if (rows > 0) {
                throughput(pg, kafka, rows);
            }
            if (bigRows > 0) {
                bigTransaction(pg, kafka, bigRows);
            }
            if (pgbenchSeconds > 0) {
                pgbench(pg, kafka, pgbenchSeconds);
            }
        }
    }

    /**
     * Round 1 runs on a JVM and broker that have not seen this work yet (JIT compilation, topic and schema creation
     * included); round 2 repeats it on a new database with the same topic prefix, which is what a producer that runs
     * for days sees. Both are printed; the second is the steady-state number.
     */
    static void throughput(LocalPostgres pg, LocalKafka kafka, int rows) throws Exception {
        int rounds = Integer.getInteger("rounds", 2);
        for (int round = 1; round <= rounds; round++) {
            throughputRound(pg, kafka, rows, round);
        }
    }

    static void throughputRound(LocalPostgres pg, LocalKafka kafka, int rows, int round) throws Exception {
        String db = "bench1_" + round;
        String label = round == 1 ? "cold (round 1)" : "warm (round " + round + ")";
        pg.createDatabase(db);
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.rows (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))");
            st.execute("CREATE PUBLICATION pgkb FOR TABLE public.rows WITH (publish_via_partition_root = true)");
            st.execute("SELECT pg_create_logical_replication_slot('src" + round + "', 'pgoutput')");
            st.execute("SELECT pg_copy_logical_replication_slot('src" + round + "', 'drain" + round + "')");
            st.execute("SELECT pg_copy_logical_replication_slot('src" + round + "', 'prod" + round + "')");
            long t0 = System.nanoTime();
            for (int i = 0; i < rows; i += 100) {
                st.execute("INSERT INTO rows SELECT g, g % 1000, md5(g::text), now(), g / 7.0 FROM generate_series(" + i + ", "
                        + (i + 99) + ") g");
            }
            System.out.printf("workload: %d rows in %d transactions, %d ms%n", rows, rows / 100, (System.nanoTime() - t0) / 1_000_000);
        }
        Lsn end = walEnd(pg, db);

        CpuUse cpu = CpuUse.now();
        long t0 = System.nanoTime();
        long[] drained = drain(pg, db, "drain" + round, rows / 100);
        long drainNanos = System.nanoTime() - t0;
        CpuUse drainCpu = CpuUse.now().minus(cpu);
        System.out.printf("%s bare pgjdbc drain: %d messages, %d bytes, %d ms, %s%n", label, drained[0], drained[1],
                drainNanos / 1_000_000, drainCpu);

        ProducerSettings cfg = ProducerSettings.builder(PgUrl.parse(pg.uri(db)), kafka.bootstrapServers(), "bench")
                .slot("prod" + round).publication("pgkb").kafkaProperties(kafkaConfig()).build();
        cpu = CpuUse.now();
        Map<Long, Long> threads0 = threadCpu();
        t0 = System.nanoTime();
        Producer p = new Producer(cfg);
        p.start();
        long ready = System.nanoTime();
        awaitConfirmed(p, end);
        long prodNanos = System.nanoTime() - t0;
        long streamNanos = System.nanoTime() - ready;
        CpuUse prodCpu = CpuUse.now().minus(cpu);
        String busiest = busiestThreads(threads0);
        p.stop();
        System.out.printf("%s producer into Kafka (acks=all): %d ms (start-up %d ms, streaming %d ms), %.0f rows/s streaming,"
                        + " %s, bench JVM %.1f us/row%n", label, prodNanos / 1_000_000, (ready - t0) / 1_000_000,
                streamNanos / 1_000_000, rows * 1e9 / streamNanos, prodCpu, prodCpu.jvmNanos / 1e3 / rows);
        System.out.printf("%s busiest threads: %s%n", label, busiest);
        System.out.printf("RESULT %s cpu ratio drain/producer (bench JVM) = %.2f%n", label,
                (double) drainCpu.jvmNanos / prodCpu.jvmNanos);
        System.out.printf("RESULT %s throughput ratio producer/drain = %.2f with start-up, %.2f streaming only (target >= 0.6)%n",
                label, (double) drainNanos / prodNanos, (double) drainNanos / streamNanos);
    }

    /** {@code -DkafkaConfig=k=v,k=v}: what --kafka-config would add to the producer's Kafka clients. */
    private static Properties kafkaConfig() {
        Properties p = new Properties();
        for (String kv : System.getProperty("kafkaConfig", "").split(",")) {
            if (!kv.isBlank()) {
                p.put(kv.substring(0, kv.indexOf('=')).strip(), kv.substring(kv.indexOf('=') + 1).strip());
            }
        }
        return p;
    }

    private static Map<Long, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            out.put(id, mx.getThreadCpuTime(id));
        }
        return out;
    }

    /** The threads that used the most CPU since {@code before} (JIT and GC threads are not Java threads: not listed). */
    private static String busiestThreads(Map<Long, Long> before) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        List<String> out = new ArrayList<>();
        threadCpu().entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 20_000_000L)
                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
                .forEach(e -> {
                    java.lang.management.ThreadInfo info = mx.getThreadInfo(e.getKey());
                    out.add((info == null ? "#" + e.getKey() : info.getThreadName()) + " " + e.getValue() / 1_000_000 + " ms");
                });
        return String.join(", ", out);
    }

    /** CPU time of this JVM, of its child processes (the Kafka broker) and of the whole machine (all processes). */
    record CpuUse(long jvmNanos, long childNanos, long machineNanos) {
        static CpuUse now() {
            long children = ProcessHandle.current().descendants()
                    .mapToLong(h -> h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
            return new CpuUse(cpuNanos(), children, machineBusyNanos());
        }

        CpuUse minus(CpuUse o) {
            return new CpuUse(jvmNanos - o.jvmNanos, childNanos - o.childNanos, machineNanos - o.machineNanos);
        }

        @Override
        public String toString() {
            return String.format("cpu: bench JVM %d ms, broker %d ms, machine %d ms", jvmNanos / 1_000_000,
                    childNanos / 1_000_000, machineNanos / 1_000_000);
        }

        /** user + nice + system + irq + softirq + steal of /proc/stat's cpu line, in ns (0 where there is none). */
        private static long machineBusyNanos() {
            try {
                String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
                long ticks = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                        + Long.parseLong(f[7]) + Long.parseLong(f[8]);
                return ticks * 10_000_000L; // USER_HZ is 100 on Linux
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    /** Reads the slot with the producer's options and does nothing with the data; returns {messages, bytes}. */
    static long[] drain(LocalPostgres pg, String db, String slot, int transactions) throws Exception {
        return drain(pg, db, slot, "pgkb", commits -> commits < transactions);
    }

    /** As above, while {@code more} holds for the number of commits read so far. */
    static long[] drain(LocalPostgres pg, String db, String slot, String publication, LongPredicate more)
            throws Exception {
        Properties p = pg.connectionProperties();
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db), p)) {
            PGReplicationStream s = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot).withSlotOption("proto_version", "1").withSlotOption("publication_names", publication)
                    .withSlotOption("messages", "true").withStatusInterval(1, TimeUnit.SECONDS).start();
            long n = 0;
            long bytes = 0;
            long commits = 0;
            while (more.test(commits)) {
                ByteBuffer b = s.readPending();
                if (b == null) {
                    Thread.sleep(1);
                    continue;
                }
                n++;
                bytes += b.remaining();
                if (b.get(b.position()) == 'C') {
                    commits++;
                }
            }
            s.setFlushedLSN(s.getLastReceiveLSN());
            s.forceUpdateStatus();
            s.close();
            return new long[] {n, bytes};
        }
    }

    static void bigTransaction(LocalPostgres pg, LocalKafka kafka, int rows) throws Exception {
        pg.createDatabase("bench2");
        try (Connection c = pg.connect("bench2"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.big (id bigint PRIMARY KEY, b text)");
        }
        List<String> cmd = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", ""),
                "-cp", System.getProperty("java.class.path"), ProducerBench.class.getName(), "child",
                "--pg", pg.uri("bench2"), "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "big", "--slot", "big");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        try {
            waitForSlot(pg, "bench2", "big");
            long t0 = System.nanoTime();
            try (Connection c = pg.connect("bench2"); Statement st = c.createStatement()) {
                st.execute("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") g");
            }
            Lsn end = walEnd(pg, "bench2");
            while (confirmed(pg, "bench2", "big").isBefore(end)) {
                if (!child.isAlive()) {
                    throw new IllegalStateException("producer (-Xmx256m) died with exit code " + child.exitValue());
                }
                Thread.sleep(200);
            }
            long elapsed = (System.nanoTime() - t0) / 1_000_000;
            long inKafka;
            try (var admin = kafka.admin()) {
                var tp = new org.apache.kafka.common.TopicPartition("big.public.big", 0);
                inKafka = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .partitionResult(tp).get().offset();
            }
            System.out.printf("RESULT one transaction of %d rows through a -Xmx256m producer: confirmed after %d ms"
                    + " (INSERT included), %d records in Kafka%n", rows, elapsed, inKafka);
        } finally {
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * pgbench without the producer, then twice with it: the first run starts right after the producer (its JIT
     * compilation, topic creation and schema registration fall into it), the second continues with the same producer,
     * which is what a producer that runs for days costs the database. Both ratios are printed.
     */
    static void pgbench(LocalPostgres pg, LocalKafka kafka, int seconds) throws Exception {
        pg.createDatabase("bench3");
        run(pg, List.of("pgbench", "-i", "-s", "5", "-q", "bench3"));
        List<String> cmd = List.of("pgbench", "-c", "4", "-j", "2", "-T", Integer.toString(seconds), "bench3");
        CpuUse cpu = CpuUse.now();
        double without = tps(run(pg, cmd));
        CpuUse withoutCpu = CpuUse.now().minus(cpu);
        System.out.printf("pgbench TPS without producer %.0f (%s)%n", without, withoutCpu);
        double drained = pgbenchWithBareDrain(pg, cmd);
        ProducerSettings cfg = ProducerSettings.builder(PgUrl.parse(pg.uri("bench3")), kafka.bootstrapServers(), "pgb").slot("pgb").publication("pgkb")
                .kafkaProperties(kafkaConfig()).build();
        Producer p = new Producer(cfg);
        p.start();
        double[] with = new double[2];
        try {
            for (int i = 0; i < 2; i++) {
                cpu = CpuUse.now();
                Map<Long, Long> threads0 = threadCpu();
                with[i] = tps(run(pg, cmd));
                System.out.printf("pgbench TPS with producer, %s: %.0f (%s); busiest threads: %s%n",
                        i == 0 ? "first run after its start" : "second run", with[i], CpuUse.now().minus(cpu),
                        busiestThreads(threads0));
            }
        } finally {
            p.stop();
        }
        System.out.printf("RESULT pgbench TPS ratio with/without = %.2f just after the producer started, %.2f in the second run%n",
                with[0] / without, with[1] / without);
        System.out.printf("RESULT pgbench TPS ratio with a bare pgjdbc drain of the same tables (no Kafka) / without = %.2f:"
                + " the share of the loss that logical decoding alone costs on this machine%n", drained / without);
    }

    /**
     * pgbench while a bare loop drains a pgoutput slot of the same three tables the producer publishes and discards
     * the data: the walsender's decoding and the client's reading alone, the floor under any producer's cost.
     */
    private static double pgbenchWithBareDrain(LocalPostgres pg, List<String> cmd) throws Exception {
        try (Connection c = pg.connect("bench3"); Statement st = c.createStatement()) {
            st.execute("CREATE PUBLICATION drainpub FOR TABLE pgbench_accounts, pgbench_branches, pgbench_tellers");
            st.execute("SELECT pg_create_logical_replication_slot('drain', 'pgoutput')");
        }
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<long[]> drainer = CompletableFuture.supplyAsync(() -> {
            try {
                return drain(pg, "bench3", "drain", "drainpub", commits -> !stop.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        CpuUse cpu = CpuUse.now();
        double tps;
        try {
            tps = tps(run(pg, cmd));
        } finally {
            stop.set(true);
        }
        long[] drained = drainer.get(60, TimeUnit.SECONDS);
        System.out.printf("pgbench TPS with a bare drain %.0f (%s), %d messages drained%n", tps, CpuUse.now().minus(cpu), drained[0]);
        try (Connection c = pg.connect("bench3"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot('drain')");
            st.execute("DROP PUBLICATION drainpub");
        }
        return tps;
    }

    private static String run(LocalPostgres pg, List<String> cmd) throws Exception {
        return PgClientTools.run(pg, cmd);
    }

    private static double tps(String pgbenchOutput) {
        Matcher m = Pattern.compile("tps = ([0-9.]+)").matcher(pgbenchOutput);
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench output:\n" + pgbenchOutput);
        }
        return Double.parseDouble(m.group(1));
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Until the producer confirmed {@code end}; its failure, if it fails. */
    static void awaitConfirmed(Producer p, Lsn end) throws InterruptedException {
        while (p.confirmedLsn().isBefore(end)) {
            if (p.failure() != null) {
                throw p.failure();
            }
            Thread.sleep(20);
        }
    }

    static Lsn walEnd(LocalPostgres pg, String db) throws Exception {
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private static boolean published(LocalPostgres pg, String db) throws Exception {
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'pgkb' AND tablename = 'big'")) {
            return rs.next() && rs.getInt(1) == 1;
        }
    }

    private static Lsn confirmed(LocalPostgres pg, String db, String slot) throws Exception {
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : Lsn.ZERO;
        }
    }

    /** The slot exists and the table is in the publication (rows written before that are not in the stream). */
    private static void waitForSlot(LocalPostgres pg, String db, String slot) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (confirmed(pg, db, slot).isZero() || !published(pg, db)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("producer did not create slot " + slot);
            }
            Thread.sleep(200);
        }
    }
}
