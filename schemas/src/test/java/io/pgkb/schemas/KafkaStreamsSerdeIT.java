package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another team's Kafka Streams app materialises the latest row per key of a pgkb table topic with
 * {@link ChangeRecordSerde}, configured only with {@code pgkb.bootstrap.servers} and {@code pgkb.topic.prefix}.
 */
@RealServices
class KafkaStreamsSerdeIT {

    static final TableId TABLE = new TableId("acc", "Weird \"Name\"");

    static List<ColumnDef> columns(boolean withNote) {
        List<ColumnDef> c = new ArrayList<>(List.of(
                new ColumnDef("id", PgTypes.INT8, -1, "bigint", true),
                new ColumnDef("name", PgTypes.TEXT, -1, "text", false),
                new ColumnDef("balance", PgTypes.NUMERIC, ((12 << 16) | 2) + 4, "numeric(12,2)", false)));
        if (withNote) {
            c.add(new ColumnDef("Note", PgTypes.TEXT, -1, "text", false));
        }
        return c;
    }

    @Test
    void streamsAppMaterialisesLatestRowPerKey(TestKafka kafka, @TempDir Path stateDir) throws Exception {
        String prefix = kafka.prefix();
        String topic = TABLE.topic(prefix);
        kafka.createTopic(topic, 3, Map.of());
        ChangeEnvelopes v1 = new ChangeEnvelopes(new RelationDef(16400, TABLE, 'd', columns(false)));
        ChangeEnvelopes v2 = new ChangeEnvelopes(new RelationDef(16400, TABLE, 'd', columns(true)));
        assertThat(v2.schemas().key().toString()).as("adding a non-key column keeps the key schema")
                .isEqualTo(v1.schemas().key().toString());

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "other-team-" + prefix);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.BytesSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, ChangeRecordSerde.class);
        props.put(ChangeRecordSerde.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        props.put(ChangeRecordSerde.TOPIC_PREFIX, prefix);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

        StreamsBuilder builder = new StreamsBuilder();
        builder.<Bytes, ChangeRecord>stream(topic)
                // a DELETE is a record with op DELETE, not a tombstone: the app turns it into one
                .mapValues(r -> r.op() == Op.DELETE ? null : r)
                .toTable(Materialized.as("latest"));

        try (SchemaRegistrar registrar = new SchemaRegistrar(kafka.bootstrapServers(), prefix);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            // phase 1: schema version 1, before the app starts
            registrar.ensureRegistered(v1.schemas().value());
            registrar.ensureRegistered(v1.schemas().key());
            send(producer, topic, v1, Op.INSERT, null, row(v1, "1", "alice", "10.00"), 0);
            send(producer, topic, v1, Op.INSERT, null, row(v1, "2", "bob", "20.00"), 1);
            send(producer, topic, v1, Op.INSERT, null, row(v1, "3", "carol", "NaN"), 2);
            send(producer, topic, v1, Op.UPDATE, null, row(v1, "1", "alice", "11.50"), 3);
            send(producer, topic, v1, Op.DELETE, row(v1, "2", null, null), null, 4);
            producer.flush();

            streams.start();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                Map<Long, Map<String, Object>> latest = latest(streams, kafka);
                assertThat(latest).containsOnlyKeys(1L, 3L);
                assertThat(latest.get(1L)).containsEntry("balance", new BigDecimal("11.50"));
            });

            // phase 2: ALTER TABLE ADD COLUMN while the app runs; its resolver finds the new schema on a miss
            registrar.ensureRegistered(v2.schemas().value());
            send(producer, topic, v2, Op.INSERT, null, row(v2, "4", "dave", "0.01", "new"), 5);
            send(producer, topic, v2, Op.UPDATE, null, row(v2, "3", "carol", "-Infinity", ""), 6);
            send(producer, topic, v2, Op.DELETE, row(v2, "1", null, null, null), null, 7);
            send(producer, topic, v2, Op.INSERT, null, row(v2, "2", "bob again", "2.00", null), 8);
            producer.flush();

            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                Map<Long, Map<String, Object>> latest = latest(streams, kafka);
                assertThat(latest).containsOnlyKeys(2L, 3L, 4L);
                assertThat(latest.get(2L)).containsExactlyEntriesOf(ordered("id", 2L, "name", "bob again",
                        "balance", new BigDecimal("2.00"), "Note", null));
                assertThat(latest.get(3L)).containsExactlyEntriesOf(ordered("id", 3L, "name", "carol",
                        "balance", "-Infinity", "Note", ""));
                assertThat(latest.get(4L)).containsExactlyEntriesOf(ordered("id", 4L, "name", "dave",
                        "balance", new BigDecimal("0.01"), "Note", "new"));
            });
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The store's content, keys decoded through the _schemas topic like any consumer would. */
    private static Map<Long, Map<String, Object>> latest(KafkaStreams streams, TestKafka kafka) {
        ReadOnlyKeyValueStore<Bytes, ChangeRecord> store = streams.store(
                StoreQueryParameters.fromNameAndType("latest", QueryableStoreTypes.keyValueStore()));
        Map<Long, Map<String, Object>> out = new TreeMap<>();
        try (KafkaSchemaResolver resolver = new KafkaSchemaResolver(kafka.bootstrapServers(), kafka.prefix());
             KeyValueIterator<Bytes, ChangeRecord> it = store.all()) {
            ChangeRecordDecoder keys = new ChangeRecordDecoder(resolver);
            while (it.hasNext()) {
                KeyValue<Bytes, ChangeRecord> kv = it.next();
                Long id = (Long) keys.decodeKey(kv.key.get()).get("id");
                assertThat(kv.value.after().get("id")).isEqualTo(id);
                out.put(id, kv.value.after());
            }
        }
        return out;
    }

    private static GenericRecord row(ChangeEnvelopes env, String... text) {
        return env.row(Arrays.asList(text));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, ChangeEnvelopes env, Op op,
                             GenericRecord before, GenericRecord after, long seq) throws Exception {
        GenericRecord value = env.value(op, before, after, List.of(),
                new ChangeSource(1000 + seq, 2000 + seq, 500 + seq, 1_700_000_000_000_000L + seq, 0, TABLE));
        byte[] key = SingleObjectCodec.encode(env.schemas().key(), env.key(after != null ? after : before));
        producer.send(new ProducerRecord<>(topic, key, SingleObjectCodec.encode(env.schemas().value(), value))).get();
    }

}
