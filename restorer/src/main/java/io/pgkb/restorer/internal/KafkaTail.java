package io.pgkb.restorer.internal;

import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.Topics;
import io.pgkb.store.catalog.ArchivedEntry;
import io.pgkb.store.catalog.ProgressReader;
import io.pgkb.store.catalog.ProgressRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records still in Kafka that the archive lacks (DESIGN §12): offsets per partition, the {@code _progress}
 * records after the archived ones, ranges of a table topic, and the schemas of {@code _schemas}. Reads with plain
 * consumers (assign, no group, nothing committed), so it never disturbs the archiver. Planning calls are
 * synchronized; every range gets a consumer of its own, closed with it.
 */
public final class KafkaTail implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaTail.class);
    private final Map<String, Object> config;
    private final String prefix;
    private final String servers;
    private KafkaConsumer<byte[], byte[]> meta;
    private KafkaSchemaResolver schemas;

    /** @param clientConfig the {@code --kafka-config} properties (TLS, SASL), may be empty */
    public KafkaTail(String bootstrapServers, Properties clientConfig, String prefix) {
        Map<String, Object> c = new HashMap<>();
        clientConfig.forEach((k, v) -> c.put(k.toString(), v));
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // a needed offset that retention removes while it is read must fail, never jump
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // one consumer per partition read at once: keep what each fetches ahead small (a larger record still comes whole)
        c.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 << 20);
        c.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1 << 20);
        c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        c.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        this.config = c;
        this.prefix = prefix;
        this.servers = bootstrapServers;
    }

    public String servers() {
        return servers;
    }

    public String prefix() {
        return prefix;
    }

    /** Log start and end offset ({@code [logStart, end)} is what Kafka holds) per partition; empty: no such topic. */
    public synchronized Map<Integer, long[]> offsets(String topic) {
        try {
            List<PartitionInfo> infos = meta().partitionsFor(topic);
            Map<Integer, long[]> out = new TreeMap<>();
            if (infos == null || infos.isEmpty()) {
                return out;
            }
            List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, Long> start = meta().beginningOffsets(tps);
            Map<TopicPartition, Long> end = meta().endOffsets(tps);
            for (TopicPartition tp : tps) {
                out.put(tp.partition(), new long[] {start.get(tp), end.get(tp)});
            }
            return out;
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            return new TreeMap<>();
        } catch (KafkaException e) {
            throw unreachable("the offsets of " + topic, e);
        }
    }

    /**
     * The {@code _progress} records after the archived ones ({@code archivedEnd}: per partition, the offset after the
     * last archived record), up to the topic's end. A partition whose records between the two are in neither place
     * contributes nothing (they would be needed to trust any later one) and is named in {@code notes}.
     */
    public List<ProgressRecord> progressAfter(Map<Integer, Long> archivedEnd, List<String> notes) {
        String topic = new Topics(prefix).progress();
        BinaryMessageDecoder<GenericRecord> decoder = ProgressReader.decoder();
        List<ProgressRecord> out = new ArrayList<>();
        for (Map.Entry<Integer, long[]> e : offsets(topic).entrySet()) {
            long from = archivedEnd.getOrDefault(e.getKey(), 0L);
            long logStart = e.getValue()[0];
            long end = e.getValue()[1];
            if (end <= from) {
                continue;
            }
            if (logStart > from) {
                notes.add("progress records " + from + "-" + (logStart - 1) + " of " + topic + " partition " + e.getKey()
                        + " are in neither the archive nor Kafka (log start offset " + logStart + ")");
                continue;
            }
            try (RecordSource s = open(topic, "topic " + topic, e.getKey(), from, end - 1, false)) {
                for (ArchivedEntry a = s.next(); a != null; a = s.next()) {
                    out.add(ProgressReader.decode(decoder, a.value(), a.offset(), "Kafka topic " + topic + " partition " + e.getKey()));
                }
            }
        }
        log.info("restore.kafka_progress topic={} records={} archived_end={}", topic, out.size(), archivedEnd);
        return out;
    }

    /** Offsets {@code [first, last]} of a partition, each record once; see {@link KafkaRange}. */
    RecordSource open(String topic, String what, int partition, long first, long last, boolean changes) {
        return new KafkaRange(new KafkaConsumer<>(config), new TopicPartition(topic, partition), what, first, last, changes);
    }

    /** Every schema in {@code _schemas} now. */
    public synchronized Collection<org.apache.avro.Schema> allSchemas() {
        schemas();
        return schemas.all();
    }

    /** The writer schemas of {@code _schemas}, read once and then on demand. */
    public synchronized SchemaResolver schemas() {
        if (schemas == null) {
            schemas = new KafkaSchemaResolver(config, prefix);
        }
        return schemas;
    }

    private KafkaConsumer<byte[], byte[]> meta() {
        if (meta == null) {
            meta = new KafkaConsumer<>(config);
        }
        return meta;
    }

    PgkbException unreachable(String what, KafkaException e) {
        return new PgkbException.FatalException("cannot read " + what + " from Kafka " + servers + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        if (meta != null) {
            meta.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
        if (schemas != null) {
            schemas.close();
        }
    }
}
