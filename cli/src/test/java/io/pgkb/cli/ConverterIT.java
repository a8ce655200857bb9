package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.LocalRegistry;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import io.pgkb.testkit.junit.TestKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Kafka's own standalone Connect worker, with {@code pgkb.jar} on its {@code plugin.path} and
 * {@code FileStreamSinkConnector}, reads a table topic that the real producer filled through pgkb's converter for
 * keys and values, and writes each value Struct as a line ({@code Struct.toString()}: null fields left out). The
 * same worker reads the registry-mode topic of the same table (a second producer, {@code --schema-registry}, a real
 * Apicurio Registry) through the registry's own Avro converter (Apicurio's, from Maven Central, 4-byte ids, in a
 * plugin directory of its own, never on the worker's class path): a team's stock Connect setup reads pgkb's registry mode without pgkb code.
 */
@RealServices
class ConverterIT {
    private static final String SLOT = "converterit";
    private static final String REGISTRY_SLOT = "converterit_registry";

    @Test
    void aStandaloneWorkerSinksTheTypedChangesOfATableTopic(TestDatabase db, TestKafka kafka) throws Exception {
        CompletableFuture<LocalRegistry> starting = CompletableFuture.supplyAsync(LocalRegistry::start);
        db.execute("CREATE TABLE accounts (id int PRIMARY KEY, amount numeric(10,2), at timestamptz, note text)");
        String topic = new TableId("public", "accounts").topic(kafka.prefix());
        String registryPrefix = kafka.prefix() + "-registry";
        String registryTopic = new TableId("public", "accounts").topic(registryPrefix);
        Path dir = Files.createTempDirectory("pgkb-connect-");
        Path sink = dir.resolve("sink.txt");
        Path rows = dir.resolve("rows.txt");
        Path registrySink = dir.resolve("registry-sink.txt");
        ProducerSettings config = ProducerSettings.builder(PgUrl.parse(db.uri()), kafka.bootstrapServers(), kafka.prefix())
                .slot(SLOT).publication(SLOT).refreshInterval(Duration.ofSeconds(1)).build();
        try (LocalRegistry registry = starting.join();
             Producer producer = new Producer(config);
             Producer registryProducer = new Producer(ProducerSettings.builder(PgUrl.parse(db.uri()), kafka.bootstrapServers(),
                     registryPrefix).slot(REGISTRY_SLOT).publication(REGISTRY_SLOT).refreshInterval(Duration.ofSeconds(1))
                     .schemaRegistry(SchemaRegistrySettings.of(registry.url())).build())) {
            producer.start();
            registryProducer.start();
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
            // a team's stock setup for registry mode: the registry's converter, for 4-byte ids (the registry's content ids)
            Map<String, String> registryMode = new HashMap<>(Map.of(
                    "name", "registry-file-sink",
                    "connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                    "tasks.max", "1",
                    "topics", registryTopic,
                    "file", registrySink.toString()));
            for (String side : List.of("key", "value")) {
                registryMode.put(side + ".converter", "io.apicurio.registry.utils.converter.AvroConverter");
                registryMode.put(side + ".converter.apicurio.registry.url", registry.nativeUrlV2());
                registryMode.put(side + ".converter.apicurio.registry.as-confluent", "true");
                registryMode.put(side + ".converter.apicurio.registry.use-id", "contentId");
            }
            List<String> lines;
            List<String> rowLines;
            List<String> registryLines;
            List<Path> apicurio = new ArrayList<>(LocalRegistry.connectConverterJars());
            apicurio.add(StandaloneWorker.converterManifestJar(dir.resolve("apicurio-manifest.jar"),
                    "io.apicurio.registry.utils.converter.AvroConverter"));
            try (StandaloneWorker w = StandaloneWorker.start(dir, Path.of(System.getProperty("pgkb.jar")),
                    Map.of("apicurio-converter", apicurio), worker,
                    List.of(connector, rowsOnly, registryMode))) {
                lines = awaitLines(w, sink, 6);
                rowLines = awaitLines(w, rows, 5);
                registryLines = awaitLines(w, registrySink, 6);
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

            // Apicurio's converter maps a nullable decimal as a union Struct and timestamp-micros as its long: its
            // own mapping (docs/consuming.md); the values are the table's
            assertThat(registryLines).as("registry mode through Apicurio's converter").hasSize(6);
            assertThat(registryLines.get(0)).startsWith("Struct{op=INSERT,after=Struct{id=1,amount=Struct{bytes=12.34},"
                    + "at=1735787045678000,note=},unchanged=[],source=Struct{lsn=").endsWith("table=public.accounts}}");
            assertThat(registryLines.get(1)).startsWith("Struct{op=INSERT,after=Struct{id=2},unchanged=[],source=");
            assertThat(registryLines.get(2)).startsWith("Struct{op=UPDATE,after=Struct{id=1,amount=Struct{bytes=-0.05},"
                    + "at=1735787045678000,note=},");
            assertThat(registryLines.get(3)).startsWith("Struct{op=DELETE,before=Struct{id=2},unchanged=[],source=");
            assertThat(registryLines.get(4)).startsWith("Struct{op=TRUNCATE,unchanged=[],source=Struct{");
            assertThat(registryLines.get(5)).startsWith("Struct{op=INSERT,after=Struct{id=3,amount=Struct{bytes=0.00},note=x},");
            assertThat(registryLines.stream().map(ConverterIT::position).toList()).as("the same changes as the native topic's")
                    .isEqualTo(lines.stream().map(ConverterIT::position).toList());
        } finally {
            db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name IN ('" + SLOT
                    + "', '" + REGISTRY_SLOT + "')");
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> awaitLines(StandaloneWorker w, Path sink, int count) throws IOException {
        try {
            return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!w.isAlive()) {
                    throw new AssertionError("the Connect worker exited; its log ends:\n" + logTail(w));
                }
                return Files.exists(sink) ? Files.readAllLines(sink, StandardCharsets.UTF_8) : List.<String>of();
            }, l -> l.size() >= count);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + count + " lines in " + sink + "; worker log ends:\n" + logTail(w), e);
        }
    }

    private static String logTail(StandaloneWorker w) throws IOException {
        String log = Files.readString(w.logFile(), StandardCharsets.UTF_8);
        return log.substring(Math.max(0, log.length() - 6000));
    }

    /** Where a change was in the WAL, as a printed envelope's source names it. */
    private static String position(String line) {
        Matcher m = Pattern.compile("lsn=\\d+,commit_lsn=\\d+,xid=\\d+").matcher(line);
        assertThat(m.find()).as("source position in %s", line).isTrue();
        return m.group();
    }

    /** The row Struct printed for {@code field} (before or after); rows hold no nested Structs. */
    private static String row(String line, String field) {
        Matcher m = Pattern.compile(field + "=(Struct\\{[^}]*\\})").matcher(line);
        assertThat(m.find()).as("%s in %s", field, line).isTrue();
        return m.group(1);
    }
}
