package io.pgkb.testkit.faults;

import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The campaign's PRODUCER_KILL case on its own, to find where a restart's time goes (issue 16 §1: the slot confirmed
 * past the pre-fault LSN within 15 s): under {@link MixedWorkload}, the producer ({@code pgkb produce} of one of
 * several jars, in turn, so that two builds are compared in one sitting on the same machine and services) is killed
 * with SIGKILL and started again; measured are process start → "producer ready" and ready → the slot confirmed past
 * the WAL position at the kill, and each log line of the new process is printed at its offset from the start.
 */
public final class ProducerRestarts {
    private static final Duration LIMIT = Duration.ofMinutes(3);

    private final LocalPostgres pg;
    private final LocalKafka kafka;
    private final Map<String, Path> jars;
    private final Path work;
    private final List<String> jvmOptions;
    private final String name = "restarts_" + Long.toHexString(System.nanoTime() & 0xfffffL);
    private final SlotPositions positions;
    private final Map<String, List<long[]>> results = new LinkedHashMap<>();
    private final Random random = new Random(1);
    private Process producer;

    /** @param jars label → the shaded pgkb jar it names (run in turn, in the map's order, then reversed: ABBA) */
    public ProducerRestarts(LocalPostgres pg, LocalKafka kafka, Map<String, Path> jars, Path work, List<String> jvmOptions) {
        this.pg = pg;
        this.kafka = kafka;
        this.jars = new LinkedHashMap<>(jars);
        this.work = work;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.positions = new SlotPositions(pg, name, name);
        jars.keySet().forEach(k -> results.put(k, new ArrayList<>()));
    }

    /** Runs {@code rounds} rounds (each restarts the producer once per jar) and prints the summary. */
    public void run(int rounds) throws Exception {
        pg.createDatabase(name);
        try (Connection c = pg.connect(name)) {
            MixedWorkload.createTables(c);
        }
        Path log = work.resolve("producer.log");
        List<String> labels = new ArrayList<>(jars.keySet());
        try (MixedWorkload workload = new MixedWorkload(this::connect, Duration.ofMillis(20))) {
            start(labels.get(0), log);
            await("the producer ready", () -> count(log, "producer ready") > 0);
            workload.start(3);
            workload.createLateTable();
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(labels);
                if (r % 2 == 1) {
                    Collections.reverse(order);
                }
                for (String label : order) {
                    // a random moment of a steady state: the slot is confirmed regularly again
                    awaitConfirmedPast(walLsn());
                    TimeUnit.MILLISECONDS.sleep(2000 + random.nextInt(3000));
                    restart(label, log);
                }
            }
        } finally {
            if (producer != null) {
                producer.destroyForcibly();
                producer.waitFor(30, TimeUnit.SECONDS);
            }
            try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + name + "'");
            }
        }
        say("summary (ms): label: start→ready | ready→confirmed | start→confirmed, each min / median / max over n");
        for (var e : results.entrySet()) {
            say("%s: %s | %s | %s  n=%d", e.getKey(), stats(e.getValue(), 0), stats(e.getValue(), 1), stats(e.getValue(), 2),
                    e.getValue().size());
        }
    }

    private void restart(String label, Path log) throws Exception {
        long pre = walLsn();
        long offset = Files.size(log);
        producer.destroyForcibly();
        producer.waitFor(60, TimeUnit.SECONDS);
        Instant startedAt = Instant.now();
        long started = System.nanoTime();
        start(label, log);
        await("the producer ready", () -> linesFrom(log, offset).stream().anyMatch(l -> l.contains("producer ready")));
        long ready = System.nanoTime();
        awaitConfirmedPast(pre);
        long confirmed = System.nanoTime();
        long[] r = {(ready - started) / 1_000_000, (confirmed - ready) / 1_000_000, (confirmed - started) / 1_000_000};
        results.get(label).add(r);
        say("%s: start→ready %d ms, ready→confirmed %d ms, start→confirmed past the pre-kill LSN %d ms",
                label, r[0], r[1], r[2]);
        for (String l : linesFrom(log, offset)) {
            // the producer's own lines, not the Kafka clients' reconnect noise
            if (l.length() > 30 && l.charAt(4) == '-' && !l.contains(" Sender - ") && !l.contains(" NetworkClient - ")) {
                long at = Duration.between(startedAt, Instant.parse(l.substring(0, l.indexOf(' ')))).toMillis();
                say("  +%6d ms %s", at, l.substring(l.indexOf(' ') + 1, Math.min(l.length(), 170)));
            }
        }
    }

    private void start(String label, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jars.get(label).toString(), "produce", "--pg", pg.uri(name), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", name, "--slot", name, "--publication", name, "--partitions", "2",
                "--refresh-interval", "2s"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        producer = pb.start();
    }

    private static String stats(List<long[]> rows, int i) {
        long[] v = rows.stream().mapToLong(r -> r[i]).sorted().toArray();
        return v.length == 0 ? "-" : v[0] + " / " + v[v.length / 2] + " / " + v[v.length - 1];
    }

    private static List<String> linesFrom(Path log, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            f.seek(offset);
            byte[] b = new byte[(int) (f.length() - offset)];
            f.readFully(b);
            return List.of(new String(b, StandardCharsets.UTF_8).split("\n"));
        }
    }

    private static long count(Path log, String text) throws IOException {
        return linesFrom(log, 0).stream().filter(l -> l.contains(text)).count();
    }

    private void awaitConfirmedPast(long lsn) throws Exception {
        await("the slot confirmed past " + lsn, () -> positions.confirmedPast(lsn));
    }

    private long walLsn() throws SQLException {
        return positions.walLsn();
    }

    private Connection connect() {
        try {
            return pg.connect(name);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + LIMIT.toMinutes() + " min for " + what + "; log in " + work);
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling interval of the condition
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf("restarts: " + format + "%n", args);
        System.out.flush();
    }
}
