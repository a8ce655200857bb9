package io.pgkb.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.TableId;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.ObjectStores;
import io.pgkb.testkit.LocalS3;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three archiver processes in separate JVMs share a consumer group over 12 table partitions plus _progress and
 * _schemas under a continuous workload; one is SIGKILLed and restarted, another joins mid-stream. Afterwards the
 * archive holds every offset of every partition (no gap; an offset in two objects has identical content) and
 * every segment verifies. Once on the filesystem, once on S3.
 */
@RealServices
class ArchiverGroupIT {
    static LocalS3 s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3(LocalS3 shared) {
        s3 = shared;
        s3.createBucket("pgkb-archive");
    }


    @ParameterizedTest
    @ValueSource(strings = {"fs", "s3"})
    void groupArchivesEveryOffsetExactlyOnceAcrossKillsAndJoins(String kind, TestKafka kafka) throws Exception {
        String prefix = kafka.prefix() + "-" + kind;
        String storeUri = kind.equals("fs") ? dir.resolve("archive").toString() : "s3://pgkb-archive/" + prefix;
        Path logDir = Files.createDirectories(Path.of("target", "it-logs", "ArchiverGroupIT-" + kind));
        Path kafkaConfig = ArchiverProcess.quickGroupConfig(dir);
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--store", storeUri,
                "--topic-prefix", prefix, "--group", prefix + "-archiver", "--spool-dir", dir.resolve("spool").toString(),
                "--segment-max-records", "300", "--segment-max-age", "1s", "--kafka-config", kafkaConfig.toString()));
        Map<String, String> env = kind.equals("s3") ? S3Test.environment(s3) : Map.of();
        if (kind.equals("s3")) {
            args.addAll(S3Test.cliArgs(s3));
        }

        List<ArchiverProcess> procs = new ArrayList<>();
        try (Workload w = new Workload(kafka.bootstrapServers(), prefix, 80);
             ObjectStore store = kind.equals("fs") ? new FileSystemStore(dir.resolve("archive"))
                     : ObjectStores.open(storeUri, S3Test.options(s3))) {
            TableId a = w.addTable("public", "orders", 6);
            TableId b = w.addTable("Sales", "line items", 6);
            List<String> topics = List.of(a.topic(prefix), b.topic(prefix), prefix + "._progress");
            w.startBackground(5, 3);

            ArchiverProcess p1 = ArchiverProcess.start(logDir.resolve("a1.log"), env, args);
            procs.add(p1);
            procs.add(ArchiverProcess.start(logDir.resolve("a2.log"), env, args)); // both JVMs start at once
            p1.awaitStarted();
            procs.get(1).awaitStarted();
            awaitProgress(store, prefix, topics, 2_000);

            procs.add(ArchiverProcess.start(logDir.resolve("a3.log"), env, args).awaitStarted()); // joins mid-stream
            awaitProgress(store, prefix, topics, 2_000);

            p1.kill(); // SIGKILL: buffers lost, uploads cut off, nothing committed
            awaitProgress(store, prefix, topics, 2_000);
            procs.add(ArchiverProcess.start(logDir.resolve("a1-restarted.log"), env, args).awaitStarted());
            awaitProgress(store, prefix, topics, 2_000);

            w.stopBackground();
            Map<TopicPartition, Long> ends = ArchiveAudit.endOffsets(kafka.bootstrapServers(), topics);
            assertThat(ends).hasSize(13);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> ArchiveAudit.covers(store, prefix, ends));

            for (ArchiverProcess p : procs.subList(1, procs.size())) {
                assertThat(p.terminate()).as("exit code after SIGTERM, log %s", p.log()).isZero();
            }

            long records = 0;
            long overlapping = 0;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                ArchiveAudit.PartitionAudit audit = ArchiveAudit.auditPartition(store, prefix, e.getKey(), e.getValue());
                records += audit.records();
                overlapping += audit.overlapping();
            }
            long total = ends.values().stream().mapToLong(Long::longValue).sum();
            assertThat(records).isEqualTo(total);
            assertThat(total).isGreaterThan(8_000);
            // every schema the workload registered is in the archive
            assertThat(store.list(new ArchiveLayout(prefix).root() + "schemas/")).hasSize(5);
            System.out.printf("ArchiverGroupIT[%s]: %d records in %d partitions, %d offsets re-uploaded identically%n",
                    kind, total, ends.size(), overlapping);
        } finally {
            for (ArchiverProcess p : procs) {
                p.close();
            }
        }
    }

    /** Waits until the archive grew by at least {@code records} offsets. */
    private static void awaitProgress(ObjectStore store, String prefix, List<String> topics, long records) {
        long start = archived(store, prefix);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> archived(store, prefix) >= start + records);
    }

    private static long archived(ObjectStore store, String prefix) {
        try {
            long sum = 0;
            String root = new ArchiveLayout(prefix).root();
            Map<String, Long> ends = new HashMap<>();
            for (ObjectStore.ObjectInfo o : store.list(root)) {
                long[] r = ArchiveLayout.parseSegmentName(o.key().substring(o.key().lastIndexOf('/') + 1));
                if (r != null) {
                    ends.merge(o.key().substring(0, o.key().lastIndexOf('/')), r[1] + 1, Math::max);
                }
            }
            for (long e : ends.values()) {
                sum += e;
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
