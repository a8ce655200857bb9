package io.pgkb.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentReader;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A record that is not a valid change record stops the archiver naming it, or is quarantined on request. */
@RealServices
class PoisonRecordIT {
    @TempDir
    Path dir;

    /** 30 good records, one bad at offset 30, 30 good after it, all on partition 0 of one table topic. */
    private TopicPartition writePoisonedTopic(TestKafka kafka, String prefix) {
        try (Workload w = new Workload(kafka.bootstrapServers(), prefix, 50)) {
            TableId t = w.addTable("public", "orders", 1);
            for (int i = 0; i < 30; i++) {
                w.transaction(1);
            }
            w.flush();
            RecordHeaders h = new RecordHeaders();
            h.add(Headers.COMMIT_LSN, "0/1".getBytes(StandardCharsets.UTF_8));
            h.add(Headers.SEQ, "0".getBytes(StandardCharsets.UTF_8));
            w.sendRaw(t.topic(prefix), 0, null, "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8), h);
            for (int i = 0; i < 30; i++) {
                w.transaction(1);
            }
            w.flush();
            return new TopicPartition(t.topic(prefix), 0);
        }
    }

    private ArchiverConfig config(TestKafka kafka, String prefix) {
        return ArchiverConfig.builder(kafka.bootstrapServers(), prefix, dir.resolve("spool"))
                .group(prefix + "-archiver")
                .segmentLimits(64L << 20, 10, Duration.ofMillis(500)).build();
    }

    @Test
    void badRecordStopsTheArchiverNamingTopicPartitionOffset(TestKafka kafka) throws Exception {
        String prefix = kafka.prefix() + "-fail";
        TopicPartition tp = writePoisonedTopic(kafka, prefix);
        try (ObjectStore store = new FileSystemStore(dir.resolve("archive"))) {
            Archiver a = new Archiver(config(kafka, prefix), store);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    a.run();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.start();
            t.join(Duration.ofSeconds(90).toMillis());
            assertThat(t.isAlive()).as("archiver stopped by itself").isFalse();
            assertThat(thrown.get()).isInstanceOf(BadRecordException.class)
                    .hasMessage("bad record topic=" + tp.topic() + " partition=0 offset=30: value: not Avro single-object encoded (expected C3 01 + 8-byte fingerprint)");
            assertThat(((BadRecordException) thrown.get()).exitCode()).isEqualTo(1);

            // Nothing at or after the bad record is archived or committed; what is archived is intact.
            String segDir = new ArchiveLayout(prefix).segmentsDir(TableId.fromTopic(prefix, tp.topic()).orElseThrow(), 0);
            long end = ArchiveAudit.archivedEnd(store, segDir);
            assertThat(end).isLessThanOrEqualTo(30);
            ArchiveAudit.auditPartition(store, prefix, tp, end);
            assertThat(committed(kafka, prefix + "-archiver", tp)).isLessThanOrEqualTo(end);
        }
    }

    @Test
    void commandLineExitsWithOneOnABadRecord(TestKafka kafka) throws Exception {
        String prefix = kafka.prefix() + "-cli";
        TopicPartition tp = writePoisonedTopic(kafka, prefix);
        Path log = dir.resolve("archiver.log");
        try (ArchiverProcess p = ArchiverProcess.start(log, Map.of(), List.of(
                "--bootstrap-servers", kafka.bootstrapServers(), "--store", dir.resolve("archive").toString(),
                "--topic-prefix", prefix, "--spool-dir", dir.resolve("spool").toString()))) {
            assertThat(p.waitFor(90)).isEqualTo(1);
        }
        assertThat(Files.readAllLines(log)).contains("pgkb archive: bad record topic=" + tp.topic()
                + " partition=0 offset=30: value: not Avro single-object encoded (expected C3 01 + 8-byte fingerprint)");
    }

    @Test
    void quarantineStoresTheRecordAndArchivingGoesOn(TestKafka kafka) throws Exception {
        String prefix = kafka.prefix() + "-quarantine";
        TopicPartition tp = writePoisonedTopic(kafka, prefix);
        try (ObjectStore store = new FileSystemStore(dir.resolve("archive"))) {
            Archiver a = new Archiver(config(kafka, prefix).toBuilder().onBadRecord(ArchiverConfig.BadRecordPolicy.QUARANTINE).build(), store);
            Thread t = new Thread(a::run);
            t.start();
            String segDir = new ArchiveLayout(prefix).segmentsDir(TableId.fromTopic(prefix, tp.topic()).orElseThrow(), 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> ArchiveAudit.archivedEnd(store, segDir) >= 61);
            a.stop();
            t.join(60_000);
            assertThat(a.stats().quarantined()).isEqualTo(1);
            String qKey = new ArchiveLayout(prefix).quarantine(tp.topic(), 0, 30);
            try (InputStream in = store.open(qKey); SegmentReader r = new SegmentReader(in, qKey)) {
                ArchivedRecord bad = r.next();
                assertThat(new String(bad.value(), StandardCharsets.UTF_8)).isEqualTo("{\"not\":\"avro\"}");
                assertThat(bad.offset()).isEqualTo(30);
                assertThat(r.next()).isNull();
            }
            // every good offset archived once; the bad one only in quarantine
            List<ObjectStore.ObjectInfo> segs = store.list(segDir);
            long records = 0;
            for (ObjectStore.ObjectInfo o : segs) {
                try (InputStream in = store.open(o.key()); SegmentReader r = new SegmentReader(in, o.key())) {
                    for (ArchivedRecord rec; (rec = r.next()) != null; ) {
                        assertThat(rec.offset()).isNotEqualTo(30);
                        records++;
                    }
                }
            }
            assertThat(records).isEqualTo(60);
            assertThat(committed(kafka, prefix + "-archiver", tp)).isEqualTo(61);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(TestKafka kafka, String group) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static long committed(TestKafka kafka, String group, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, group)) {
            OffsetAndMetadata o = c.committed(Set.of(tp)).get(tp);
            return o == null ? 0 : o.offset();
        }
    }
}
