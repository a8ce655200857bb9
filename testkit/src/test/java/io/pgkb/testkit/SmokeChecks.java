package io.pgkb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.testkit.junit.TestDatabase;
import io.pgkb.testkit.junit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;

/** The checks every provider of test services must pass, local or in containers. */
public final class SmokeChecks {
    private SmokeChecks() {
    }

    public static void logicalWalAndPgoutputSlot(TestDatabase db) {
        assertThat(db.queryForString("SHOW wal_level")).isEqualTo("logical");
        assertThat(db.queryForString("SHOW server_version_num")).startsWith("17");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE PUBLICATION smoke_pub FOR TABLE t");
        String slot = db.name() + "_slot";
        db.queryForString("SELECT lsn FROM pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try {
            db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
            // pgoutput message type bytes: B(egin), R(elation), I(nsert) x2, C(ommit)
            String types = db.queryForString("SELECT string_agg(chr(get_byte(data, 0)), '' ORDER BY lsn)"
                    + " FROM pg_logical_slot_peek_binary_changes('" + slot + "', NULL, NULL,"
                    + " 'proto_version', '1', 'publication_names', 'smoke_pub')");
            assertThat(types).isEqualTo("BRIIC");
        } finally {
            db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    public static void kafkaRoundTrip(TestKafka kafka) throws Exception {
        String topic = kafka.topic("roundtrip");
        kafka.createTopic(topic, 2, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (int i = 0; i < 10; i++) {
                producer.send(record(topic, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(consumeValues(kafka, topic, 10))
                .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    public static void brokerOutage(TestKafka kafka) throws Exception {
        String topic = kafka.topic("outage");
        kafka.createTopic(topic, 1, Map.of());
        Properties props = kafka.producerProperties();
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(record(topic, "k", "before")).get(30, TimeUnit.SECONDS);
            kafka.stopBroker();
            try {
                assertThat(kafka.isBrokerRunning()).isFalse();
                assertThatThrownBy(() -> producer.send(record(topic, "k", "during")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TimeoutException.class);
            } finally {
                kafka.startBroker();
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            RecordMetadata after = producer.send(record(topic, "k", "after")).get(60, TimeUnit.SECONDS);
            assertThat(after.offset()).isEqualTo(1);
        }
        assertThat(consumeValues(kafka, topic, 2)).containsExactly("before", "after");
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads until {@code expected} values arrived or 60 s passed; the caller asserts on what came. */
    static List<String> consumeValues(TestKafka kafka, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties(topic))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }
}
