package io.pgkb.producer.internal;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The Kafka producer settings of pgkb's producer, on top of the operator's. */
public final class ProducerClientSettings {
    private ProducerClientSettings() {
    }

    /**
     * Idempotent, acks=all, at most 5 requests in flight (the ordering guarantee of idempotence needs it); the rest
     * are defaults an operator's {@code --kafka-config} may change.
     */
    public static Properties of(Properties client, long maxMessageBytes, String slot) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        if (Integer.parseInt(p.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION).toString()) > 5) {
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        }
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // 20 ms instead of Kafka's 5: a quarter of the produce requests under a steady trickle of small transactions,
        // which halved the broker's and the network thread's CPU under pgbench; confirms come every 200 ms anyway
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        long request = Math.min(Integer.MAX_VALUE - 1, maxMessageBytes + (1L << 20));
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(request));
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(32L << 20, request + (8L << 20))));
        // send() blocks the stream thread while a topic's metadata is missing (a broker that restarted answers without
        // it for a moment): 10 s instead of 60 s, so a session stuck there restarts from the slot well within
        // PostgreSQL's wal_sender_timeout and within seconds of the broker being whole again
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "pgkb-producer-" + slot);
        return p;
    }
}
