package io.pgkb.archiver.internal;

import io.pgkb.schemas.Outage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits to Kafka the offsets the archive now holds. A commit that times out (broker or coordinator away) is kept
 * and tried again on a later pass instead of stopping the archiver: the archive already holds these segments and is
 * what resumption trusts, so a late commit loses nothing, while exiting on a broker blip would be an outage of its
 * own. Poll thread only.
 */
public final class OffsetCommits {
    private static final Logger log = LoggerFactory.getLogger(OffsetCommits.class);
    /** How long one commit may wait for the coordinator before the loop goes on (and tries again later). */
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
    private static final long COMMIT_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Consumer<?, ?> consumer;
    private final Time time;
    /** Offsets durable in the archive whose commit Kafka has not taken yet. */
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    private final Outage outage = new Outage();
    private long lastAttempt;

    public OffsetCommits(Consumer<?, ?> consumer, Time time) {
        this.consumer = consumer;
        this.time = time;
    }

    /** Commits {@code commits} together with any earlier commit that Kafka did not take. */
    public void commit(Map<TopicPartition, OffsetAndMetadata> commits) {
        if (commits.isEmpty()) {
            return;
        }
        pending.putAll(commits);
        tryCommit();
    }

    /** A commit that Kafka did not take is tried again, at most once per {@link #COMMIT_RETRY_NANOS}. */
    public void retryPending() {
        if (!pending.isEmpty() && time.nanoseconds() - lastAttempt >= COMMIT_RETRY_NANOS) {
            tryCommit();
        }
    }

    private void tryCommit() {
        lastAttempt = time.nanoseconds();
        Map<TopicPartition, OffsetAndMetadata> attempt = new HashMap<>(pending);
        try {
            try {
                consumer.commitSync(attempt, COMMIT_TIMEOUT);
            } catch (WakeupException e) {
                consumer.commitSync(attempt, COMMIT_TIMEOUT); // stop() woke the consumer outside poll(); a wakeup fires once
            }
            pending.clear();
            long lasted = outage.ended(time.nanoseconds());
            if (lasted >= 0) {
                log.info("offset commits resumed after {} s", lasted);
            }
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partitions may have moved: their new owner starts after the archive, which holds these segments.
            pending.clear();
            log.warn("offset commit skipped during a rebalance partitions={} error={}", attempt.keySet(), e.getMessage());
        } catch (RetriableException e) {
            long now = time.nanoseconds();
            if (outage.failed(now) != Outage.Say.NOTHING) {
                log.warn("offset commit failed, waiting for Kafka and retrying (the archive holds the segments) for={} s partitions={} error={}",
                        outage.seconds(now), attempt.size(), e.toString());
            }
        }
    }
}
