package io.pgkb.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code <prefix>._schemas} from the beginning and keeps every schema in memory; a fingerprint it does not
 * know makes it read on to the current end of the topic. Thread-safe.
 */
public final class KafkaSchemaResolver implements SchemaResolver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaSchemaResolver.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(60);

    private final String topic;
    private final Consumer<byte[], byte[]> consumer;
    private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();
    /** Fingerprints whose schema the topic holds under the fingerprint as its key, as the producer writes it. */
    private final Set<Long> keyed = ConcurrentHashMap.newKeySet();
    /** Registry mode: schema registry id to fingerprint ({@code registry-<id>} records). */
    private final Map<Integer, Long> registryIds = new ConcurrentHashMap<>();
    private volatile String encoding;
    private volatile String registry;
    private List<TopicPartition> assigned = List.of();

    /** @param clientConfig Kafka client settings (bootstrap.servers, TLS/SASL); no group is used */
    public KafkaSchemaResolver(Map<String, Object> clientConfig, String prefix) {
        this.topic = SchemaRegistrar.topic(prefix);
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "pgkb-schema-resolver");
        this.consumer = new KafkaConsumer<>(c);
    }

    /** From a Kafka client properties file as given with {@code --kafka-config}, plus bootstrap servers. */
    public static KafkaSchemaResolver fromProperties(Properties clientConfig, String prefix) {
        Map<String, Object> m = new HashMap<>();
        clientConfig.forEach((k, v) -> m.put(k.toString(), v));
        return new KafkaSchemaResolver(m, prefix);
    }

    public KafkaSchemaResolver(String bootstrapServers, String prefix) {
        this(Map.of("bootstrap.servers", bootstrapServers), prefix);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        Schema s = schemas.get(fingerprint);
        if (s != null) {
            return s;
        }
        refresh();
        return schemas.get(fingerprint);
    }

    @Override
    public Schema findByRegistryId(int id) {
        Long fp = registryIds.get(id);
        if (fp == null) {
            refresh();
            fp = registryIds.get(id);
        }
        return fp == null ? null : findByFingerprint(fp);
    }

    /**
     * The prefix's encoding as its {@code pgkb.encoding} record names it ({@link SchemaTopicKeys}), read up to the
     * topic's end; null when there is none (a new prefix, or one from before registry mode existed).
     */
    public String encoding() {
        refresh();
        return encoding;
    }

    /** Registry mode: the URL of the registry the prefix's ids come from ({@code pgkb.registry}), null when none is recorded. */
    public String registry() {
        refresh();
        return registry;
    }

    /** Registry mode: every {@code registry-<id>} record up to the topic's end, id to fingerprint. */
    public Map<Integer, Long> registryIds() {
        refresh();
        return Map.copyOf(registryIds);
    }

    /** Reads the topic up to its current end. */
    public synchronized void refresh() {
        try {
            if (assigned.isEmpty()) {
                List<PartitionInfo> parts = consumer.partitionsFor(topic);
                if (parts == null || parts.isEmpty()) {
                    return; // no schema registered yet
                }
                List<TopicPartition> tps = new ArrayList<>();
                for (PartitionInfo p : parts) {
                    tps.add(new TopicPartition(topic, p.partition()));
                }
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                assigned = tps;
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            long deadline = System.nanoTime() + REFRESH_TIMEOUT.toNanos();
            while (!caughtUp(end)) {
                if (System.nanoTime() > deadline) {
                    throw new PgkbException.RetriableException("timed out reading topic " + topic + " up to " + end, null);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    accept(r);
                }
            }
        } catch (WakeupException e) {
            throw new PgkbException.RetriableException("reading " + topic + " was interrupted", e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new PgkbException.RetriableException("cannot read topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return;
        }
        String json = new String(r.value(), StandardCharsets.UTF_8);
        String k = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        if (k.equals(SchemaTopicKeys.ENCODING)) {
            encoding = json;
            return;
        }
        if (k.equals(SchemaTopicKeys.REGISTRY)) {
            registry = json;
            return;
        }
        if (SchemaTopicKeys.isRegistryId(k)) {
            if (SchemaTopicKeys.isFingerprint(json)) {
                registryIds.put(SchemaTopicKeys.registryIdOf(k), SingleObjectCodec.parseHex(json));
            } else {
                log.warn("registry id record without a fingerprint skipped topic={} offset={} key={}", topic, r.offset(), k);
            }
            return;
        }
        try {
            Schema s = new Schema.Parser().parse(json);
            long fp = SingleObjectCodec.fingerprint64(s);
            if (k.equals(SingleObjectCodec.hex(fp))) {
                keyed.add(fp);
            } else {
                log.warn("schema key does not match its fingerprint topic={} offset={} key={} fingerprint={}",
                        topic, r.offset(), k, SingleObjectCodec.hex(fp));
            }
            schemas.put(fp, s);
        } catch (SchemaParseException e) {
            log.warn("unparsable schema skipped topic={} partition={} offset={} error={}", topic, r.partition(),
                    r.offset(), e.getMessage());
        }
    }

    public int size() {
        return schemas.size();
    }

    /**
     * The fingerprints whose schema is in the topic under its own key (as {@link SchemaRegistrar} writes it), up to the
     * topic's current end: read back, so durably there.
     */
    public Set<Long> stored() {
        refresh();
        return Set.copyOf(keyed);
    }

    /** Every schema in the topic up to its current end. */
    public Collection<Schema> all() {
        refresh();
        return List.copyOf(schemas.values());
    }

    @Override
    public synchronized void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
