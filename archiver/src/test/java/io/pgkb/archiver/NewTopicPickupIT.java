package io.pgkb.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.TableId;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table topic created while the archiver runs is archived without a restart. */
@RealServices
class NewTopicPickupIT {
    @TempDir
    Path dir;

    @Test
    void topicCreatedAfterStartIsArchived(TestKafka kafka) throws Exception {
        String prefix = kafka.prefix();
        try (Workload w = new Workload(kafka.bootstrapServers(), prefix, 40);
             ObjectStore store = new FileSystemStore(dir.resolve("archive"))) {
            TableId first = w.addTable("public", "first", 1);
            w.transaction(5);
            w.flush();
            Archiver a = new Archiver(ArchiverConfig.builder(kafka.bootstrapServers(), prefix, dir.resolve("spool"))
                    .group(prefix + "-archiver").segmentLimits(64L << 20, 1000, Duration.ofMillis(300)).build(), store);
            Thread t = new Thread(a::run);
            t.start();
            try {
                ArchiveLayout layout = new ArchiveLayout(prefix);
                await().atMost(Duration.ofSeconds(60)).until(() -> ArchiveAudit.archivedEnd(store, layout.segmentsDir(first, 0)) > 0);

                TableId later = w.addTable("public", "created_later", 2);
                for (int i = 0; i < 20; i++) {
                    w.transaction(3);
                }
                w.flush();
                var ends = ArchiveAudit.endOffsets(kafka.bootstrapServers(), List.of(first.topic(prefix), later.topic(prefix)));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                        .until(() -> ArchiveAudit.covers(store, prefix, ends));
                for (var e : ends.entrySet()) {
                    ArchiveAudit.auditPartition(store, prefix, e.getKey(), e.getValue());
                }
                assertThat(ends.get(new TopicPartition(later.topic(prefix), 0)) + ends.get(new TopicPartition(later.topic(prefix), 1)))
                        .isPositive();
                assertThat(a.knownTables()).contains(first, later);
            } finally {
                a.stop();
                t.join(60_000);
            }
        }
    }
}
