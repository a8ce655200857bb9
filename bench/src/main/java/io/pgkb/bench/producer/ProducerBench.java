package io.pgkb.bench.producer;

import io.pgkb.producer.ProduceCommand;
import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerConfig;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
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
 * Sizes from system properties: {@code rows} (default 200000), {@code bigRows} (2000000), {@code pgbenchSeconds} (30).
 */
public final class ProducerBench {
    private ProducerBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
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

    static void throughput(LocalPostgres pg, LocalKafka kafka, int rows) throws Exception {
        pg.createDatabase("bench1");
        try (Connection c = pg.connect("bench1"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.rows (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))");
            st.execute("CREATE PUBLICATION pgkb FOR TABLE public.rows WITH (publish_via_partition_root = true)");
            st.execute("SELECT pg_create_logical_replication_slot('src', 'pgoutput')");
            st.execute("SELECT pg_copy_logical_replication_slot('src', 'drain')");
            st.execute("SELECT pg_copy_logical_replication_slot('src', 'prod')");
            long t0 = System.nanoTime();
            for (int i = 0; i < rows; i += 100) {
                st.execute("INSERT INTO rows SELECT g, g % 1000, md5(g::text), now(), g / 7.0 FROM generate_series(" + i + ", "
                        + (i + 99) + ") g");
            }
            System.out.printf("workload: %d rows in %d transactions, %d ms%n", rows, rows / 100, (System.nanoTime() - t0) / 1_000_000);
        }
        Lsn end = walEnd(pg, "bench1");

        long t0 = System.nanoTime();
        long cpu0 = cpuNanos();
        long[] drained = drain(pg, "bench1", "drain", rows / 100);
        long drainNanos = System.nanoTime() - t0;
        long drainCpu = cpuNanos() - cpu0;
        System.out.printf("bare pgjdbc drain: %d messages, %d bytes, %d ms, JVM cpu %d ms%n", drained[0], drained[1],
                drainNanos / 1_000_000, drainCpu / 1_000_000);

        ProducerConfig cfg = ProducerConfig.of(PgUrl.parse(pg.uri("bench1")), kafka.bootstrapServers(), "bench")
                .withSlot("prod", "pgkb");
        t0 = System.nanoTime();
        cpu0 = cpuNanos();
        Producer p = new Producer(cfg);
        p.start();
        while (p.confirmedLsn().isBefore(end)) {
            if (p.failure() != null) {
                throw p.failure();
            }
            Thread.sleep(20);
        }
        long prodNanos = System.nanoTime() - t0;
        long prodCpu = cpuNanos() - cpu0;
        p.stop();
        System.out.printf("producer into Kafka (acks=all): %d ms, %.0f rows/s, JVM cpu %d ms (%.1f us/row)%n", prodNanos / 1_000_000,
                rows * 1e9 / prodNanos, prodCpu / 1_000_000, prodCpu / 1e3 / rows);
        System.out.printf("RESULT cpu ratio drain/producer = %.2f (what the throughput ratio tends to when CPU-bound)%n",
                (double) drainCpu / prodCpu);
        System.out.printf("RESULT throughput ratio producer/drain = %.2f (target >= 0.6)%n", (double) drainNanos / prodNanos);
    }

    /** Reads the slot with the producer's options and does nothing with the data; returns {messages, bytes}. */
    static long[] drain(LocalPostgres pg, String db, String slot, int transactions) throws Exception {
        Properties p = pg.connectionProperties();
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db), p)) {
            PGReplicationStream s = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot).withSlotOption("proto_version", "1").withSlotOption("publication_names", "pgkb")
                    .withSlotOption("messages", "true").withStatusInterval(1, TimeUnit.SECONDS).start();
            long n = 0;
            long bytes = 0;
            int commits = 0;
            while (commits < transactions) {
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
                inKafka = admin.listOffsets(java.util.Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .partitionResult(tp).get().offset();
            }
            System.out.printf("RESULT one transaction of %d rows through a -Xmx256m producer: confirmed after %d ms"
                    + " (INSERT included), %d records in Kafka%n", rows, elapsed, inKafka);
        } finally {
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    static void pgbench(LocalPostgres pg, LocalKafka kafka, int seconds) throws Exception {
        pg.createDatabase("bench3");
        run(pg, List.of("pgbench", "-i", "-s", "5", "-q", "bench3"));
        double without = tps(run(pg, List.of("pgbench", "-c", "4", "-j", "2", "-T", Integer.toString(seconds), "bench3")));
        ProducerConfig cfg = ProducerConfig.of(PgUrl.parse(pg.uri("bench3")), kafka.bootstrapServers(), "pgb").withSlot("pgb", "pgkb");
        Producer p = new Producer(cfg);
        p.start();
        double with;
        try {
            with = tps(run(pg, List.of("pgbench", "-c", "4", "-j", "2", "-T", Integer.toString(seconds), "bench3")));
        } finally {
            p.stop();
        }
        System.out.printf("pgbench TPS without producer %.0f, with producer %.0f%n", without, with);
        System.out.printf("RESULT pgbench TPS ratio with/without = %.2f%n", with / without);
    }

    private static String run(LocalPostgres pg, List<String> cmd) throws Exception {
        List<String> full = new ArrayList<>(cmd);
        full.addAll(1, List.of("-h", "localhost", "-p", Integer.toString(pg.port()), "-U", pg.user()));
        ProcessBuilder b = new ProcessBuilder(full).redirectErrorStream(true);
        b.environment().put("PGPASSWORD", pg.password());
        Process proc = b.start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
            }
        }
        if (proc.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out.toString();
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

    private static Lsn walEnd(LocalPostgres pg, String db) throws Exception {
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
