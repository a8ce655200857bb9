package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.md5;
import static io.pgkb.restorer.ChainEnv.one;
import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.testkit.LocalRegistry;
import io.pgkb.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry mode (DESIGN §14) against a real registry (Apicurio Registry 3.3.3 through its Confluent API): a stock
 * registry client (Apicurio's Avro deserializer, 4-byte ids) decodes every record pgkb wrote, DDL records included;
 * a restore from the archive alone is md5-equal; verify and list work as in native mode; the prefix refuses native
 * mode afterwards; a subject whose compatibility rule refuses an ALTER stops the producer with exit 2, one line
 * naming the subject and the rule, nothing confirmed past the last written record. The producer reaches the
 * registry over HTTPS (a throwaway CA, {@code --schema-registry-config} with a PEM truststore); a truststore without
 * that CA is one line, exit 2, before anything is written; the same registry under another URL (its plain HTTP
 * port) is recognised by its ids. One registry for the class, serving HTTP and HTTPS.
 */
class RegistryModeIT {
    private static final TableId ACC = new TableId("public", "acc");
    private static LocalRegistry registry;
    /** {@code --schema-registry-config} trusting the registry's CA, and one trusting another CA */
    private static Path trusting;
    private static Path trustingAnother;
    private static Path anotherCa;

    @BeforeAll
    static void services(@TempDir Path dir) throws IOException {
        TestCertificates certs = TestCertificates.create(dir.resolve("registry-tls"));
        CompletableFuture<LocalRegistry> starting = CompletableFuture.supplyAsync(
                () -> LocalRegistry.startWithTls(certs.serverCertificateChain(), certs.serverKey()));
        trusting = trustConfig(dir.resolve("trusting.properties"), certs.caCertificate());
        anotherCa = TestCertificates.create(dir.resolve("another-ca")).caCertificate();
        trustingAnother = trustConfig(dir.resolve("another.properties"), anotherCa);
        ChainEnv.pg();
        ChainEnv.kafka();
        registry = starting.join();
    }

    private static Path trustConfig(Path file, Path caPem) throws IOException {
        Files.writeString(file, SchemaRegistrySettings.TRUSTSTORE + "=" + caPem + "\n"
                + SchemaRegistrySettings.TRUSTSTORE_TYPE + "=PEM\n", StandardCharsets.UTF_8);
        return file;
    }

    private static SchemaRegistrySettings overTls() {
        return SchemaRegistrySettings.parse(registry.httpsUrl(), trusting);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void stockClientDecodesEveryRecordAndTheArchiveRestoresWithoutTheRegistry() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            sql(src, "CREATE TABLE acc (id int PRIMARY KEY, owner text, balance numeric(10,2), at timestamptz)",
                    "INSERT INTO acc SELECT g, 'owner-' || g, g * 1.25, '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 hour'"
                            + " FROM generate_series(1, 40) g");
            env.startProducer(2, ProducerSettings.DdlCaptureMode.AUTO, overTls());
            env.startArchiver(10);
            env.dump(ACC);
            sql(src, "UPDATE acc SET balance = balance + 1 WHERE id % 3 = 0",
                    "DELETE FROM acc WHERE id % 7 = 0",
                    "ALTER TABLE acc ADD COLUMN note text DEFAULT 'n'",
                    "INSERT INTO acc VALUES (100, 'late', -0.50, NULL, 'added after the ALTER')",
                    "UPDATE acc SET note = 'changed' WHERE id = 2",
                    "SELECT pg_logical_emit_message(true, 'pgkb.mark', 'reg-mark')");
            String atMark = md5(src, ACC);
            sql(src, "UPDATE acc SET owner = 'after the mark'");

            env.awaitRestorable("public.acc=r.acc", "--to-mark", "reg-mark");
            assertThat(env.restoreTo("public.acc=r.acc", "--to-mark", "reg-mark")).as(env.lastError).isZero();
            try (Connection tgt = env.target()) {
                assertThat(md5(tgt, new TableId("r", "acc"))).as("restored from a registry-mode archive").isEqualTo(atMark);
            }
            List<String> store = env.storeArgs;
            assertThat(env.verify(concat(store, "--topic-prefix", env.prefix))).as(env.lastError + env.lastOutput).isZero();
            assertThat(env.list(concat(store, "--topic-prefix", env.prefix))).as(env.lastError).isZero();
            assertThat(env.lastOutput).contains("public.acc");

            String topic = ACC.topic(env.prefix);
            List<ConsumerRecord<byte[], byte[]>> raw = readAll(env.bootstrapServers(), topic);
            assertThat(raw).allSatisfy(r -> {
                assertThat(r.value()[0]).as("Confluent framing: magic byte 0").isZero();
                assertThat(r.key() == null || r.key()[0] == 0).isTrue();
            });
            List<GenericRecord[]> decoded = decodeWithStockClient(raw);
            assertThat(decoded).hasSameSizeAs(raw);
            int rows = 0;
            int ddl = 0;
            for (int i = 0; i < raw.size(); i++) {
                String op = new String(raw.get(i).headers().lastHeader(Headers.OP).value(), StandardCharsets.UTF_8);
                GenericRecord value = decoded.get(i)[1];
                if (op.equals("DDL")) {
                    ddl++;
                    assertThat(value.getSchema().getFullName()).isEqualTo("io.pgkb.DdlEvent");
                    continue;
                }
                rows++;
                assertThat(value.get("op").toString()).isEqualTo(op);
                GenericRecord row = (GenericRecord) (op.equals("DELETE") ? value.get("before") : value.get("after"));
                assertThat(((GenericRecord) decoded.get(i)[0]).get("id")).as("key").isEqualTo(row.get("id"));
                if (Integer.valueOf(100).equals(row.get("id"))) {
                    assertThat(row.get("owner").toString()).isIn("late", "after the mark");
                }
            }
            assertThat(rows).as("13 updates, 5 deletes, 1 insert, 1 update, 36 updates after the mark (the 40 first rows are"
                    + " in the dump)").isEqualTo(13 + 5 + 1 + 1 + 36);
            assertThat(ddl).as("the ALTER, once per partition").isEqualTo(2);
            assertThat(registry.get("/subjects")).contains(topic + "-key", topic + "-value", topic + "-io.pgkb.DdlEvent");

            // the prefix is in registry mode for its life: a native producer on it refuses (exit 2)
            env.stopProducer();
            assertThatThrownBy(() -> env.startProducer(2, ProducerSettings.DdlCaptureMode.OFF, null))
                    .isInstanceOfSatisfying(PgkbException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                    .message().doesNotContain("\n").contains("topic prefix " + env.prefix, "registry mode", "--schema-registry");
            // a truststore without the registry's CA: one line, exit 2, nothing waited for
            SchemaRegistrySettings wrongCa = SchemaRegistrySettings.parse(registry.httpsUrl(), trustingAnother);
            assertThatThrownBy(() -> env.startProducer(2, ProducerSettings.DdlCaptureMode.OFF, wrongCa))
                    .isInstanceOfSatisfying(PgkbException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                    .message().doesNotContain("\n").contains("schema registry " + registry.httpsUrl(),
                            "TLS certificate is not accepted", SchemaRegistrySettings.TRUSTSTORE + " " + anotherCa);
            // the same registry under another URL gives the prefix's ids to the same schemas: accepted
            env.startProducer(2, ProducerSettings.DdlCaptureMode.OFF, SchemaRegistrySettings.of(registry.url()));
        }
    }

    @Test
    void aSubjectWhoseRuleRefusesTheAlterStopsTheProducerWithExit2() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            sql(src, "CREATE TABLE t (id int PRIMARY KEY, a int)");
            Producer producer = env.startProducer(1, ProducerSettings.DdlCaptureMode.OFF, SchemaRegistrySettings.of(registry.url()));
            String topic = new TableId("public", "t").topic(env.prefix);
            await().atMost(Duration.ofSeconds(120)).until(() -> "t".equals(one(src,
                    "SELECT active FROM pg_replication_slots WHERE slot_name = '" + env.slot + "'")));
            sql(src, "INSERT INTO t VALUES (1, 1)");
            await().atMost(Duration.ofSeconds(120)).until(() -> readAll(env.bootstrapServers(), topic).size() == 1);
            registry.setCompatibility(topic + "-value", "BACKWARD");
            sql(src, "ALTER TABLE t ADD COLUMN b int");
            Lsn beforeRefused = ChainEnv.walLsn(src);
            sql(src, "INSERT INTO t VALUES (2, 2, 2)");
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.failure() != null);
            assertThat(producer.failure().exitCode()).isEqualTo(2);
            assertThat(producer.failure().getMessage()).doesNotContain("\n")
                    .contains("subject " + topic + "-value", "BACKWARD", "NONE");
            assertThat(readAll(env.bootstrapServers(), topic)).as("nothing written after the refusal").hasSize(1);
            String confirmed = one(src, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + env.slot + "'");
            assertThat(Lsn.parse(confirmed).asLong()).as("the slot is not confirmed past the refused transaction")
                    .isLessThanOrEqualTo(beforeRefused.asLong());
        }
    }

    private static String[] concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** Every record of the topic, up to its end now, as bytes. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            if (consumer.partitionsFor(topic).isEmpty()) {
                return out;
            }
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Key and value of each record through Apicurio's stock Avro deserializer, configured for 4-byte ids. */
    private static List<GenericRecord[]> decodeWithStockClient(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Object> config = Map.of("apicurio.registry.url", registry.nativeUrl(),
                "apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        List<GenericRecord[]> out = new ArrayList<>();
        try (AvroKafkaDeserializer<GenericRecord> keys = new AvroKafkaDeserializer<>();
             AvroKafkaDeserializer<GenericRecord> values = new AvroKafkaDeserializer<>()) {
            keys.configure(config, true);
            values.configure(config, false);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                out.add(new GenericRecord[] {r.key() == null ? null : keys.deserialize(r.topic(), r.key()),
                        values.deserialize(r.topic(), r.value())});
            }
        }
        return out;
    }
}
