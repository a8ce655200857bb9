package io.pgkb.schemas;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka {@link Serde} of pgkb change records (values of table topics), for consumers and Kafka Streams apps.
 *
 * <p>Either give a resolver to the constructor, or configure with {@code pgkb.bootstrap.servers} and
 * {@code pgkb.topic.prefix} (default {@code pgkb}); settings prefixed {@code pgkb.kafka.} (e.g.
 * {@code pgkb.kafka.security.protocol}) are passed to the consumer that reads {@code <prefix>._schemas}.
 * Serialising writes the record with its own writer schema, which is already in {@code _schemas}.
 */
public final class ChangeRecordSerde implements Serde<ChangeRecord> {
    public static final String BOOTSTRAP_SERVERS = "pgkb.bootstrap.servers";
    public static final String TOPIC_PREFIX = "pgkb.topic.prefix";
    public static final String KAFKA_PREFIX = "pgkb.kafka.";

    // Kafka Streams makes one serde per task and store: they share one resolver (one consumer) per cluster and prefix
    private static final Map<String, Shared> SHARED = new HashMap<>();

    private SchemaResolver resolver;
    private String sharedKey;
    private ChangeRecordDecoder decoder;

    private static final class Shared {
        final KafkaSchemaResolver resolver;
        int users;

        Shared(KafkaSchemaResolver resolver) {
            this.resolver = resolver;
        }
    }

    /** Configure before use with {@link #configure}. */
    public ChangeRecordSerde() {
    }

    public ChangeRecordSerde(SchemaResolver resolver) {
        this.resolver = resolver;
        this.decoder = new ChangeRecordDecoder(resolver);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (resolver != null) {
            return;
        }
        Object servers = configs.get(BOOTSTRAP_SERVERS);
        if (servers == null) {
            throw new PgkbException.ConfigException(BOOTSTRAP_SERVERS + " is required to read the _schemas topic");
        }
        Object prefix = configs.get(TOPIC_PREFIX);
        Map<String, Object> client = new HashMap<>();
        configs.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                client.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        client.put("bootstrap.servers", servers.toString());
        String p = prefix == null ? "pgkb" : prefix.toString();
        String key = new java.util.TreeMap<>(client) + "|" + p;
        synchronized (SHARED) {
            Shared shared = SHARED.computeIfAbsent(key, k -> new Shared(new KafkaSchemaResolver(client, p)));
            shared.users++;
            sharedKey = key;
            resolver = shared.resolver;
        }
        decoder = new ChangeRecordDecoder(resolver);
    }

    SchemaResolver resolver() {
        return resolver;
    }

    @Override
    public Serializer<ChangeRecord> serializer() {
        return (topic, record) -> record == null ? null
                : SingleObjectCodec.encode(record.writerSchema(), record.envelope());
    }

    @Override
    public Deserializer<ChangeRecord> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (decoder == null) {
                throw new IllegalStateException("ChangeRecordSerde used before configure()");
            }
            try {
                return decoder.decode(data);
            } catch (CodecException e) {
                throw new CodecException("topic " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    @Override
    public void close() {
        if (sharedKey == null) {
            return;
        }
        synchronized (SHARED) {
            Shared shared = SHARED.get(sharedKey);
            if (shared != null && --shared.users == 0) {
                SHARED.remove(sharedKey);
                shared.resolver.close();
            }
        }
        sharedKey = null;
    }
}
