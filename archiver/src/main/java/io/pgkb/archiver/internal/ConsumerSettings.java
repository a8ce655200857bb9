package io.pgkb.archiver.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The Kafka client settings of the archiver's consumers, on top of the operator's. */
public final class ConsumerSettings {
    private ConsumerSettings() {
    }

    /**
     * Kafka settings of both consumers (records and {@code _schemas}). A consumer's close waits for the broker's
     * answer to the fetch that closes its fetch session, and the broker holds that answer up to {@code
     * fetch.max.wait.ms} (Kafka's default 500 ms, see KAFKA-19884): every graceful stop, so every rolling restart,
     * waited that long after its last commit (0.4 s of a 3-s run in the benchmark). 100 ms costs an
     * idle archiver a few more empty fetches per second and a busy one nothing: {@code fetch.min.bytes} is 1, so a
     * fetch with data is answered at once either way. An operator's {@code --kafka-config} still decides.
     */
    public static Map<String, Object> client(Map<String, Object> kafka) {
        Map<String, Object> c = new HashMap<>(kafka);
        c.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return c;
    }

    /** The group member's settings: offsets are committed by the archiver, never automatically. */
    public static Map<String, Object> groupMember(Map<String, Object> kafka, String group) {
        Map<String, Object> c = client(kafka);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // offsets follow durability, never a timer
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5000); // new table topics are picked up within seconds
        c.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return c;
    }
}
