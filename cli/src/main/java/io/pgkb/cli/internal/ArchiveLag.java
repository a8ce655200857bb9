package io.pgkb.cli.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the archiver's consumer group is behind the end of the pgkb topics. The archiver commits an offset only
 * once its segment is durable, so a lag of zero means everything written so far is in the archive.
 */
public final class ArchiveLag implements AutoCloseable {
    private final Admin admin;
    private final String group;
    private final Pattern topics;

    public ArchiveLag(String bootstrapServers, String group, Pattern topics) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        this.admin = Admin.create(p);
        this.group = group;
        this.topics = topics;
    }

    /** The current end offset of every partition of the matching topics. */
    public Map<TopicPartition, Long> endOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (String t : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
            if (topics.matcher(t).matches()) {
                names.add(t);
            }
        }
        for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** Records below {@code ends} that the group has not committed yet. */
    public long lag(Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    /**
     * Polls until everything below the current end offsets is archived; false when {@code timeout} passed first.
     * {@code onLag} hears each measured lag (progress display).
     */
    public boolean awaitArchived(Duration timeout, LongConsumer onLag) throws Exception {
        Map<TopicPartition, Long> ends = endOffsets();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long lag = lag(ends);
            onLag.accept(lag);
            if (lag == 0) {
                return true;
            }
            Thread.sleep(250); // polling a remote condition; there is nothing to wait on
        }
        return false;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
