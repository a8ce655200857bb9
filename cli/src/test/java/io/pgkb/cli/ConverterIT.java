package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import io.pgkb.testkit.junit.TestKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Kafka's own standalone Connect worker, with {@code pgkb.jar} on its {@code plugin.path} and
 * {@code FileStreamSinkConnector}, reads a table topic that the real producer filled through pgkb's converter for
 * keys and values, and writes each value Struct as a line ({@code Struct.toString()}: null fields left out).
 */
@RealServices
class ConverterIT {
    private static final String SLOT = "converterit";

    @Test
    void aStandaloneWorkerSinksTheTypedChangesOfATableTopic(TestDatabase db, TestKafka kafka) throws Exception {
        db.execute("CREATE TABLE accounts (id int PRIMARY KEY, amount numeric(10,2), at timestamptz, note text)");
        String topic = new TableId("public", "accounts").topic(kafka.prefix());
        Path dir = Files.createTempDirectory("pgkb-connect-");
        Path sink = dir.resolve("sink.txt");
        Path rows = dir.resolve("rows.txt");
        ProducerSettings config = ProducerSettings.builder(PgUrl.parse(db.uri()), kafka.bootstrapServers(), kafka.prefix())
                .slot(SLOT).publication(SLOT).refreshInterval(Duration.ofSeconds(1)).build();
        try (Producer producer = new Producer(config)) {
            producer.start();
            db.execute("INSERT INTO accounts VALUES (1, 12.34, '2025-01-02 03:04:05.678+00', '')",
                    "INSERT INTO accounts VALUES (2, NULL, NULL, NULL)",
                    "UPDATE accounts SET amount = -0.05 WHERE id = 1",
                    "DELETE FROM accounts WHERE id = 2",
                    "TRUNCATE accounts",
                    "INSERT INTO accounts VALUES (3, 0, NULL, 'x')");

            Map<String, String> worker = Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "key.converter", "io.pgkb.connect.PgkbConverter",
                    "key.converter.pgkb.bootstrap.servers", kafka.bootstrapServers(),
                    "value.converter", "io.pgkb.connect.PgkbConverter",
                    "value.converter.pgkb.bootstrap.servers", kafka.bootstrapServers());
            Map<String, String> connector = Map.of(
                    "name", "pgkb-file-sink",
                    "connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                    "tasks.max", "1",
                    "topics", topic,
                    "file", sink.toString());
            // the docs' recipe for row sinks: drop TRUNCATE (and DDL) by the pgkb.op header, keep only after
            Map<String, String> rowsOnly = Map.ofEntries(
                    Map.entry("name", "pgkb-rows-sink"),
                    Map.entry("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector"),
                    Map.entry("tasks.max", "1"),
                    Map.entry("topics", topic),
                    Map.entry("file", rows.toString()),
                    Map.entry("transforms", "skipNonRows,after"),
                    Map.entry("transforms.skipNonRows.type", "org.apache.kafka.connect.transforms.Filter"),
                    Map.entry("transforms.skipNonRows.predicate", "nonRow"),
                    Map.entry("predicates", "nonRow"),
                    Map.entry("predicates.nonRow.type", "io.pgkb.connect.HasOp"),
                    Map.entry("predicates.nonRow.ops", "TRUNCATE,DDL"),
                    Map.entry("transforms.after.type", "org.apache.kafka.connect.transforms.ExtractField$Value"),
                    Map.entry("transforms.after.field", "after"));
            List<String> lines;
            List<String> rowLines;
            try (StandaloneWorker w = StandaloneWorker.start(dir, Path.of(System.getProperty("pgkb.jar")), worker,
                    List.of(connector, rowsOnly))) {
                lines = awaitLines(w, sink, 6);
                rowLines = awaitLines(w, rows, 5);
                List<String> log = Files.readAllLines(w.logFile(), StandardCharsets.UTF_8);
                assertThat(log).as("the converter came from pgkb.jar on plugin.path")
                        .anyMatch(l -> l.contains("Loading plugin from: ") && l.contains("pgkb.jar"))
                        .anyMatch(l -> l.contains("Added plugin 'io.pgkb.connect.PgkbConverter'"));
            }

            assertThat(lines).hasSize(6);
            assertThat(lines.get(0)).startsWith("Struct{op=INSERT,after=Struct{")
                    .contains("source=Struct{lsn=").contains("table=public.accounts}");
            assertThat(row(lines.get(0), "after"))
                    .as("numeric as a Decimal, timestamptz as a Timestamp (printed by Date in UTC), '' kept")
                    .isEqualTo("Struct{id=1,amount=12.34,at=Thu Jan 02 03:04:05 UTC 2025,note=}");
            assertThat(row(lines.get(1), "after")).as("NULLs are null fields, left out").isEqualTo("Struct{id=2}");
            assertThat(lines.get(2)).startsWith("Struct{op=UPDATE,");
            assertThat(row(lines.get(2), "after")).isEqualTo("Struct{id=1,amount=-0.05,at=Thu Jan 02 03:04:05 UTC 2025,note=}");
            assertThat(lines.get(3)).startsWith("Struct{op=DELETE,before=Struct{id=2},unchanged=[],source=");
            assertThat(lines.get(4)).as("a TRUNCATE: no rows, its key was null")
                    .startsWith("Struct{op=TRUNCATE,unchanged=[],source=Struct{");
            assertThat(rowLines).as("after of each row change, null for the DELETE, the TRUNCATE dropped by HasOp").containsExactly(
                    "Struct{id=1,amount=12.34,at=Thu Jan 02 03:04:05 UTC 2025,note=}",
                    "Struct{id=2}",
                    "Struct{id=1,amount=-0.05,at=Thu Jan 02 03:04:05 UTC 2025,note=}",
                    "null",
                    "Struct{id=3,amount=0.00,note=x}");
        } finally {
            db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> awaitLines(StandaloneWorker w, Path sink, int count) throws IOException {
        try {
            return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!w.isAlive()) {
                    throw new AssertionError("the Connect worker exited; log: " + w.logFile());
                }
                return Files.exists(sink) ? Files.readAllLines(sink, StandardCharsets.UTF_8) : List.<String>of();
            }, l -> l.size() >= count);
        } catch (ConditionTimeoutException e) {
            String log = Files.readString(w.logFile(), StandardCharsets.UTF_8);
            throw new AssertionError("no " + count + " lines in " + sink + "; worker log ends:\n"
                    + log.substring(Math.max(0, log.length() - 6000)), e);
        }
    }

    /** The row Struct printed for {@code field} (before or after); rows hold no nested Structs. */
    private static String row(String line, String field) {
        Matcher m = Pattern.compile(field + "=(Struct\\{[^}]*\\})").matcher(line);
        assertThat(m.find()).as("%s in %s", field, line).isTrue();
        return m.group(1);
    }
}
