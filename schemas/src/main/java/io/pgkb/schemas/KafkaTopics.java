package io.pgkb.schemas;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/** What creating a topic does not wait for. */
public final class KafkaTopics {
    private KafkaTopics() {
    }

    /**
     * Returns once every partition's leader answers for it. createTopics completes when the controller has the
     * topic, not when the leader can take writes: an idempotent producer that sends at once can get
     * NOT_LEADER_OR_FOLLOWER followed by OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen in the
     * archiver benchmark and in ArchiverGroupIT's workload). A ListOffsets answer comes from the leader's own log.
     */
    public static void awaitLeaders(Admin admin, String topic, int partitions, long timeoutSeconds)
            throws InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            query.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long backoffMs = 10;
        while (true) {
            try {
                admin.listOffsets(query).all().get(timeoutSeconds, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new TimeoutException("partitions of " + topic + " have no leader: " + e.getCause());
                }
            }
            Thread.sleep(backoffMs); // backoff between retries of a remote check, not synchronisation
            backoffMs = Math.min(500, backoffMs * 2);
        }
    }
}
