package io.pgkb.producer;

import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Real PostgreSQL and Kafka shared by every IT of this JVM, and per test: its own database, slot and topic prefix.
 */
final class TestEnv implements AutoCloseable {
    static LocalPostgres pg() {
        return LocalPostgres.shared();
    }

    static LocalKafka kafka() {
        return LocalKafka.shared();
    }

    final String db;
    final String prefix;
    final String slot;
    private final List<Producer> producers = new ArrayList<>();
    private KafkaSchemaResolver resolver;

    TestEnv() {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        db = "db_" + id;
        prefix = "it" + id;
        slot = "slot_" + id;
        pg().createDatabase(db);
        kafka();
    }

    ProducerSettings config() {
        return ProducerSettings.builder(PgUrl.parse(pg().uri(db)), kafka().bootstrapServers(), prefix)
                .slot(slot).publication("pgkb").refreshInterval(Duration.ofSeconds(1)).build();
    }

    Producer start(ProducerSettings config) {
        Producer p = new Producer(config);
        producers.add(p);
        p.start();
        return p;
    }

    Producer start() {
        return start(config());
    }

    Connection connect() throws SQLException {
        Connection c = pg().connect(db);
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; SET extra_float_digits = 3; SET bytea_output = hex");
        }
        return c;
    }

    void sql(String... statements) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    String queryOne(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    Lsn currentWalLsn() throws SQLException {
        return Lsn.parse(queryOne("SELECT pg_current_wal_lsn()::text"));
    }

    Lsn slotConfirmed() throws SQLException {
        String s = queryOne("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        return s == null ? null : Lsn.parse(s);
    }

    String topic(String schema, String table) {
        return new TableId(schema, table).topic(prefix);
    }

    Properties consumerProps() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 70 * 1024 * 1024);
        return p;
    }

    /** Every record of every partition of the topic, as it is now. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> parts = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (parts == null || parts.isEmpty()) {
                return List.of();
            }
            List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(10));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp, Duration.ofSeconds(10)) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** Records in the topic (sum of end offsets): cheap, for waiting on progress. */
    long count(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> parts = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (parts == null || parts.isEmpty()) {
                return 0;
            }
            List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return c.endOffsets(tps, Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    boolean topicExists(String topic) {
        try (var admin = kafka().admin()) {
            return admin.listTopics().names().get().contains(topic);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    int partitions(String topic) {
        try (var admin = kafka().admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized ChangeRecordDecoder decoder() {
        if (resolver == null) {
            resolver = new KafkaSchemaResolver(kafka().bootstrapServers(), prefix);
        }
        return new ChangeRecordDecoder(resolver);
    }

    /** Decoded change records of a topic ordered by (commit_lsn, seq), partition order kept for equal keys. */
    List<ChangeRecord> changes(String topic) {
        ChangeRecordDecoder d = decoder();
        List<ChangeRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
            out.add(d.decode(r.value()));
        }
        out.sort(Comparator.comparingLong(ChangeRecord::commitLsn).thenComparingLong(ChangeRecord::seq));
        return out;
    }

    static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static Map<String, String> headers(ConsumerRecord<?, ?> r) {
        Map<String, String> m = new HashMap<>();
        for (Header h : r.headers()) {
            m.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return m;
    }

    @Override
    public void close() throws Exception {
        for (Producer p : producers) {
            p.stop();
        }
        if (resolver != null) {
            resolver.close();
        }
        try (Connection c = pg().connect("postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '"
                    + slot + "%' AND NOT active");
        } catch (SQLException ignored) {
            // best effort: a slot left behind only retains WAL of this test server
        }
    }
}
