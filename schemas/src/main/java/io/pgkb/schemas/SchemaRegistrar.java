package io.pgkb.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer side of {@code <prefix>._schemas}: makes sure a writer schema is durably in the topic (acks=all,
 * acknowledged) before the caller sends the first record that uses it. Creates the topic (compacted, one
 * partition) when missing. Thread-safe.
 */
public final class SchemaRegistrar implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaRegistrar.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int MAX_SCHEMA_BYTES = 16 * 1024 * 1024;

    private final String topic;
    private final Map<String, Object> producerConfig;
    /** Opened at the first send: a producer's restart finds its schemas in the topic and sends none. */
    private Producer<byte[], byte[]> producer;
    private final Admin admin;
    private final Set<Long> registered = ConcurrentHashMap.newKeySet();
    private final Set<Integer> registeredIds = ConcurrentHashMap.newKeySet();
    private volatile boolean topicReady;

    /**
     * @param clientConfig Kafka client settings (bootstrap.servers, TLS/SASL); acks, idempotence and serializers
     *                     are set here
     */
    public SchemaRegistrar(Map<String, Object> clientConfig, String prefix) {
        this.topic = topic(prefix);
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "pgkb-schema-registrar");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_SCHEMA_BYTES + 64 * 1024);
        this.producerConfig = p;
        Map<String, Object> a = new HashMap<>(clientConfig);
        a.keySet().removeIf(k -> k.startsWith("key.") || k.startsWith("value.") || k.equals("acks")
                || k.startsWith("enable.idempotence"));
        this.admin = Admin.create(a);
    }

    /** From a Kafka client properties file as given with {@code --kafka-config}, plus bootstrap servers. */
    public static SchemaRegistrar fromProperties(Properties clientConfig, String prefix) {
        Map<String, Object> m = new HashMap<>();
        clientConfig.forEach((k, v) -> m.put(k.toString(), v));
        return new SchemaRegistrar(m, prefix);
    }

    public SchemaRegistrar(String bootstrapServers, String prefix) {
        this(Map.of("bootstrap.servers", bootstrapServers), prefix);
    }

    /** {@code <prefix>._schemas} */
    public static String topic(String prefix) {
        return new Topics(prefix).schemas();
    }

    public String topic() {
        return topic;
    }

    /**
     * Registers the schema unless this registrar already did; returns only after Kafka acknowledged it.
     *
     * @return the fingerprint as 16 lower-case hex digits
     * @throws PgkbException.RetriableException when Kafka did not acknowledge in time
     */
    public String ensureRegistered(Schema schema) {
        long fp = SingleObjectCodec.fingerprint64(schema);
        String hex = SingleObjectCodec.hex(fp);
        if (registered.contains(fp)) {
            return hex;
        }
        send(hex, schema.toString(), "schema " + hex);
        registered.add(fp);
        log.info("schema registered topic={} fingerprint={} name={}", topic, hex, schema.getFullName());
        return hex;
    }

    /**
     * Fingerprints read back from the topic (a producer's start): durably there already, so {@link #ensureRegistered}
     * does not send them again. Every start used to register each table's key and value schema once more, one
     * acknowledged send after the other on the streaming thread, before the first change of each table.
     */
    public void alreadyStored(Set<Long> fingerprints) {
        registered.addAll(fingerprints);
    }

    /**
     * Registry mode (DESIGN §14): records that the schema registry's id {@code id} names the schema with this
     * fingerprint ({@code registry-<id>}), acknowledged, unless this registrar already did.
     */
    public void ensureRegistryId(int id, long fingerprint) {
        if (registeredIds.contains(id)) {
            return;
        }
        send(SchemaTopicKeys.registryId(id), SingleObjectCodec.hex(fingerprint), "registry id " + id);
        registeredIds.add(id);
        log.info("registry id recorded topic={} id={} fingerprint={}", topic, id, SingleObjectCodec.hex(fingerprint));
    }

    /** Writes the prefix's encoding ({@link SchemaTopicKeys#ENCODING}), acknowledged. */
    public void writeEncoding(String encoding) {
        send(SchemaTopicKeys.ENCODING, encoding, "the prefix's encoding");
    }

    /** Writes the URL of the schema registry the prefix's ids come from ({@link SchemaTopicKeys#REGISTRY}), acknowledged. */
    public void writeRegistry(String url) {
        send(SchemaTopicKeys.REGISTRY, url, "the prefix's schema registry");
    }

    private void send(String key, String value, String what) {
        ensureTopic();
        try {
            producer().send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgkbException.RetriableException("interrupted while registering " + what + " in " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PgkbException.RetriableException("cannot register " + what + " in topic " + topic + ": "
                    + cause, cause);
        }
    }

    private synchronized Producer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig);
        }
        return producer;
    }

    /** Creates the topic when missing; refuses a topic that exists without compaction (it would lose schemas). */
    public void ensureTopic() {
        if (topicReady) {
            return;
        }
        synchronized (this) {
            if (topicReady) {
                return;
            }
            try {
                NewTopic nt = new NewTopic(topic, Optional.of(1), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                // schemas of very wide tables exceed the 1 MB default
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_SCHEMA_BYTES)));
                try {
                    admin.createTopics(List.of(nt)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    log.info("topic created topic={} cleanup.policy=compact partitions=1", topic);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    checkCompacted();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgkbException.RetriableException("interrupted while creating topic " + topic, e);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new PgkbException.RetriableException("cannot create topic " + topic + ": " + cause, cause);
            }
            topicReady = true;
        }
    }

    private void checkCompacted() throws ExecutionException, InterruptedException, TimeoutException {
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config cfg = admin.describeConfigs(List.of(res)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(res);
        ConfigEntry policy = cfg.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)
                || policy.value().contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            throw new PgkbException.ConfigException("topic " + topic + " exists with cleanup.policy="
                    + (policy == null ? "?" : policy.value()) + "; it must be compact only, or schemas expire");
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        admin.close(Duration.ofSeconds(10));
    }
}
