package io.pgkb.producer.internal;

import io.pgkb.schemas.KafkaTopics;
import io.pgkb.schemas.PgkbException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics the producer writes to when they are missing; remembers the ones it has seen. */
public final class TopicManager {
    private static final Logger log = LoggerFactory.getLogger(TopicManager.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final Admin admin;
    private final int partitions;
    private final long maxMessageBytes;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public TopicManager(Admin admin, int partitions, long maxMessageBytes) {
        this.admin = admin;
        this.partitions = partitions;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** A table topic: the configured partition count, large messages, zstd. */
    public void ensureTableTopic(String topic) {
        ensureTableTopics(List.of(topic));
    }

    /** The table topics among {@code topics} that are missing; one listing of the cluster's topics for all of them. */
    public void ensureTableTopics(Collection<String> topics) {
        ensure(topics, partitions, Map.of("max.message.bytes", Long.toString(maxMessageBytes), "compression.type", "zstd"));
    }

    /** True when the topic exists (a table the producer has backed up); asked only for dropped tables' DDL. */
    public boolean exists(String topic) {
        return known.contains(topic) || names().contains(topic);
    }

    /**
     * Whether any of {@code topics} exists, or may: also when Kafka cannot be asked. An archiver dumps a table as soon
     * as its topic appears, and such a dump relies on the slot of this run.
     */
    public boolean anyMayExist(Collection<String> topics) {
        if (topics.isEmpty()) {
            return false;
        }
        try {
            Set<String> existing = names();
            return topics.stream().anyMatch(t -> known.contains(t) || existing.contains(t));
        } catch (PgkbException.RetriableException e) {
            return true;
        }
    }

    /** The progress topic: one partition so its records stay in order. */
    public void ensureProgressTopic(String topic) {
        ensure(List.of(topic), 1, Map.of("compression.type", "zstd"));
    }

    private void ensure(Collection<String> topics, int count, Map<String, String> configs) {
        List<String> unknown = topics.stream().filter(t -> !known.contains(t)).toList();
        if (unknown.isEmpty()) {
            return;
        }
        Set<String> existing = names();
        PgkbException first = null;
        for (String topic : unknown) {
            try {
                if (!existing.contains(topic)) {
                    create(topic, count, configs);
                }
                known.add(topic);
            } catch (PgkbException.RetriableException | PgkbException.ConfigException e) {
                // one topic Kafka refuses (a name too long) does not keep the other tables from theirs; a refusal
                // that asking again cannot change is the one said
                if (first == null || e instanceof PgkbException.ConfigException && !(first instanceof PgkbException.ConfigException)) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private Set<String> names() {
        try {
            return admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgkbException.RetriableException("interrupted while listing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new PgkbException.RetriableException("cannot list Kafka topics: " + e, e);
        }
    }

    private void create(String topic, int count, Map<String, String> configs) {
        NewTopic t = new NewTopic(topic, Optional.of(count), Optional.empty()).configs(configs);
        try {
            try {
                admin.createTopics(List.of(t)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                return;
            }
            KafkaTopics.awaitLeaders(admin, topic, count, TIMEOUT_SECONDS);
            log.info("created topic topic={} partitions={}", topic, count);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgkbException.RetriableException("interrupted while creating topic " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw TopicRefusal.of(topic, e instanceof ExecutionException ? e.getCause() : e);
        }
    }
}
