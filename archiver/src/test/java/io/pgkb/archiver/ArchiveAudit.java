package io.pgkb.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentMetadata;
import io.pgkb.schemas.segment.SegmentReader;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads an archive back and checks it against Kafka: every offset exactly once, every checksum verified. */
final class ArchiveAudit {
    private ArchiveAudit() {
    }

    /** Kafka's end offset per partition of the topics. */
    static Map<TopicPartition, Long> endOffsets(String bootstrap, List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String t : topics) {
                c.partitionsFor(t).forEach(p -> tps.add(new TopicPartition(t, p.partition())));
            }
            return c.endOffsets(tps);
        }
    }

    static String segmentsDir(ArchiveLayout layout, String prefix, TopicPartition tp) {
        if (tp.topic().equals(prefix + "._progress")) {
            return layout.progressSegmentsDir(tp.partition());
        }
        return layout.segmentsDir(TableId.fromTopic(prefix, tp.topic()).orElseThrow(), tp.partition());
    }

    /** Highest archived offset + 1 per partition (by names only, cheap; for awaiting). */
    static long archivedEnd(ObjectStore store, String dir) throws IOException {
        long end = 0;
        for (ObjectStore.ObjectInfo o : store.list(dir)) {
            long[] r = ArchiveLayout.parseSegmentName(o.key().substring(o.key().lastIndexOf('/') + 1));
            if (r != null) {
                end = Math.max(end, r[1] + 1);
            }
        }
        return end;
    }

    static boolean covers(ObjectStore store, String prefix, Map<TopicPartition, Long> ends) throws IOException {
        ArchiveLayout layout = new ArchiveLayout(prefix);
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (archivedEnd(store, segmentsDir(layout, prefix, e.getKey())) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Result of reading one partition's segments. */
    record PartitionAudit(List<String> objects, long records, long overlapping) {
    }

    /**
     * Reads every segment of the partition fully (verifying count and checksum) and asserts that offsets
     * 0..end-1 each appear, that no offset is missing, and that an offset in two objects has identical bytes.
     */
    static PartitionAudit auditPartition(ObjectStore store, String prefix, TopicPartition tp, long end) throws IOException {
        ArchiveLayout layout = new ArchiveLayout(prefix);
        String dir = segmentsDir(layout, prefix, tp);
        Map<Long, ArchivedRecord> seen = new HashMap<>();
        List<String> objects = new ArrayList<>();
        long overlapping = 0;
        for (ObjectStore.ObjectInfo o : store.list(dir)) {
            objects.add(o.key().substring(dir.length()));
            try (InputStream in = store.open(o.key()); SegmentReader r = new SegmentReader(in, store.describe(o.key()))) {
                SegmentMetadata m = r.metadata();
                assertThat(m.topic()).isEqualTo(tp.topic());
                assertThat(m.partition()).isEqualTo(tp.partition());
                assertThat(o.key()).endsWith(ArchiveLayout.segmentName(m.firstOffset(), m.lastOffset()));
                for (ArchivedRecord a; (a = r.next()) != null; ) {
                    ArchivedRecord prev = seen.putIfAbsent(a.offset(), a);
                    if (prev != null) {
                        overlapping++;
                        assertThat(Arrays.equals(prev.value(), a.value()) && Arrays.equals(prev.key(), a.key())
                                && prev.commitLsn() == a.commitLsn() && prev.seq() == a.seq())
                                .as("offset %d of %s archived twice with different content", a.offset(), tp).isTrue();
                    }
                }
            }
        }
        List<Long> missing = new ArrayList<>();
        for (long off = 0; off < end && missing.size() < 20; off++) {
            if (!seen.containsKey(off)) {
                missing.add(off);
            }
        }
        assertThat(missing).as("offsets of %s missing from the archive (end %d)", tp, end).isEmpty();
        assertThat(seen.keySet().stream().filter(o -> o >= end)).as("offsets beyond Kafka's end in %s", tp).isEmpty();
        return new PartitionAudit(objects, seen.size(), overlapping);
    }
}
