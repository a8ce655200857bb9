package io.pgkb.archiver.internal;

import io.pgkb.archiver.ArchiverMetrics;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.Topics;
import io.pgkb.store.ObjectStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this archiver owns now, each with its {@link PartitionState}, and where each starts. Poll thread
 * only, except {@link #knownTables()}.
 */
public final class Assignment {
    private static final Logger log = LoggerFactory.getLogger(Assignment.class);

    private final String topicPrefix;
    private final ArchiveLayout layout;
    private final ObjectStore store;
    private final String progressTopic;
    private final String schemasTopic;
    private final Map<TopicPartition, PartitionState> states = new HashMap<>();
    private final Set<TableId> knownTables = ConcurrentHashMap.newKeySet();

    public Assignment(String topicPrefix, ArchiveLayout layout, ObjectStore store) {
        this.topicPrefix = topicPrefix;
        this.layout = layout;
        this.store = store;
        Topics topics = new Topics(topicPrefix);
        this.progressTopic = topics.progress();
        this.schemasTopic = topics.schemas();
    }

    /** The state of an owned partition, or null. */
    public PartitionState get(TopicPartition tp) {
        return states.get(tp);
    }

    /** Whether {@code s} is the state of the partition's current assignment (not of a revoked one). */
    public boolean isCurrent(PartitionState s) {
        return states.get(s.tp()) == s;
    }

    public Collection<PartitionState> states() {
        return states.values();
    }

    /** Tables whose topics this archiver has been assigned (any thread; for the dump scheduler). */
    public Set<TableId> knownTables() {
        return Set.copyOf(knownTables);
    }

    /**
     * Takes newly assigned partitions, each starting after the last offset in the archive; the committed offset
     * only if the archive has none; else the beginning.
     */
    public void assign(Collection<TopicPartition> partitions, Consumer<?, ?> consumer) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionState s = newState(tp);
            states.put(tp, s);
            long next = -1;
            String source = "archive";
            if (s.kind() != PartitionState.Kind.SCHEMAS) {
                next = ArchivedPosition.nextOffset(store, s.segmentsDir());
            }
            OffsetAndMetadata c = committed.get(tp);
            if (next < 0 && c != null) {
                next = c.offset();
                source = "committed offset";
            }
            if (next < 0) {
                fromStart.add(tp);
                s.startAt(0);
                log.info("partition assigned topic={} partition={} start=beginning", tp.topic(), tp.partition());
            } else {
                consumer.seek(tp, next);
                s.startAt(next);
                log.info("partition assigned topic={} partition={} start={} from={}", tp.topic(), tp.partition(), next, source);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
    }

    /** The partition is no longer ours: what it buffered is dropped; returns whether it was. */
    public boolean release(TopicPartition tp) {
        PartitionState s = states.remove(tp);
        if (s == null) {
            return false;
        }
        s.abandon(); // pause and retry state go with the assignment
        ArchiverMetrics.LAG.remove(tp.topic(), Integer.toString(tp.partition()));
        return true;
    }

    /** Drops every partition (the archiver stops). */
    public void releaseAll() {
        for (TopicPartition tp : List.copyOf(states.keySet())) {
            release(tp);
        }
    }

    private PartitionState newState(TopicPartition tp) {
        if (tp.topic().equals(progressTopic)) {
            return new PartitionState(tp, PartitionState.Kind.PROGRESS, layout.progressSegmentsDir(tp.partition()));
        }
        if (tp.topic().equals(schemasTopic)) {
            return new PartitionState(tp, PartitionState.Kind.SCHEMAS, "");
        }
        TableId table = new Topics(topicPrefix).tableOf(tp.topic()).orElseThrow(() ->
                new PgkbException.FatalException("topic " + tp.topic() + " is not a table topic of prefix " + topicPrefix));
        knownTables.add(table);
        return new PartitionState(tp, PartitionState.Kind.TABLE, layout.segmentsDir(table, tp.partition()));
    }
}
