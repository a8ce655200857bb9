package io.pgkb.schemas;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings by which pgkb's plugins for other tools (Kafka Streams serde, console formatter, Kafka Connect
 * converter) find {@code <prefix>._schemas}, and one {@link KafkaSchemaResolver} per cluster and prefix shared by
 * all plugin instances of a JVM: those frameworks make one instance per task, key and value, and each would
 * otherwise hold its own consumer and its own copy of every schema. A resolver is closed with its last user.
 *
 * <p>Settings: {@value #BOOTSTRAP_SERVERS} (required), {@value #TOPIC_PREFIX} (optional), and
 * {@value #KAFKA_PREFIX}{@code *} (client settings of the schema consumer, e.g. {@code pgkb.kafka.security.protocol}).
 */
public final class SharedSchemaResolvers {
    public static final String BOOTSTRAP_SERVERS = "pgkb.bootstrap.servers";
    public static final String TOPIC_PREFIX = "pgkb.topic.prefix";
    public static final String KAFKA_PREFIX = "pgkb.kafka.";

    private static final Map<String, Shared> SHARED = new HashMap<>();

    private SharedSchemaResolvers() {
    }

    /** Kafka client settings from {@value #BOOTSTRAP_SERVERS} and {@value #KAFKA_PREFIX}{@code *}. */
    public static Map<String, Object> clientConfig(Map<String, ?> configs) {
        Object servers = configs.get(BOOTSTRAP_SERVERS);
        if (servers == null || servers.toString().isBlank()) {
            throw new PgkbException.ConfigException(BOOTSTRAP_SERVERS + " is required to read the _schemas topic");
        }
        Map<String, Object> client = new HashMap<>();
        configs.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                client.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        client.put("bootstrap.servers", servers.toString());
        return client;
    }

    /** {@value #TOPIC_PREFIX}, or null when not set. */
    public static String topicPrefix(Map<String, ?> configs) {
        Object prefix = configs.get(TOPIC_PREFIX);
        return prefix == null || prefix.toString().isBlank() ? null : prefix.toString();
    }

    /** The shared resolver of this cluster and prefix; close the lease when done with it. */
    public static Lease acquire(Map<String, Object> clientConfig, String prefix) {
        String key = new TreeMap<>(clientConfig) + "|" + prefix;
        synchronized (SHARED) {
            Shared shared = SHARED.computeIfAbsent(key, k -> new Shared(new KafkaSchemaResolver(clientConfig, prefix)));
            shared.users++;
            return new Lease(key, shared.resolver);
        }
    }

    private static final class Shared {
        final KafkaSchemaResolver resolver;
        int users;

        Shared(KafkaSchemaResolver resolver) {
            this.resolver = resolver;
        }
    }

    /** One user's hold on a shared resolver. */
    public static final class Lease implements AutoCloseable {
        private final String key;
        private final KafkaSchemaResolver resolver;
        private boolean closed;

        private Lease(String key, KafkaSchemaResolver resolver) {
            this.key = key;
            this.resolver = resolver;
        }

        public KafkaSchemaResolver resolver() {
            return resolver;
        }

        @Override
        public void close() {
            synchronized (SHARED) {
                if (closed) {
                    return;
                }
                closed = true;
                Shared shared = SHARED.get(key);
                if (shared != null && --shared.users == 0) {
                    SHARED.remove(key);
                    shared.resolver.close();
                }
            }
        }
    }
}
