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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The archiver process dies in the middle of writing a segment (S3: after its first multipart part; filesystem:
 * with the bytes in a temp file). Nothing is visible under the segment's name, and the re-run writes the very
 * same object names, ending with every offset archived once.
 */
@RealServices
class CrashDuringUploadIT {
    private static final String WAITING = "object store does not answer; waiting for it and retrying";
    static LocalS3 s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3(LocalS3 shared) {
        s3 = shared;
        s3.createBucket("crash");
    }


    @ParameterizedTest
    @ValueSource(strings = {"fs", "s3"})
    void crashMidUploadLeavesNothingVisibleAndTheRerunWritesTheSameNames(String kind, TestKafka kafka) throws Exception {
        String prefix = kafka.prefix() + "-" + kind;
        Path logDir = Files.createDirectories(Path.of("target", "it-logs", "CrashDuringUploadIT-" + kind));
        // the processes append: a log left by an earlier build would answer for this one
        Files.deleteIfExists(logDir.resolve("crashing.log"));
        Files.deleteIfExists(logDir.resolve("rerun.log"));
        Path kafkaConfig = ArchiverProcess.quickGroupConfig(dir);
        String storeUri = kind.equals("fs") ? dir.resolve("archive").toString() : "s3://crash/" + prefix;
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--store", storeUri,
                "--topic-prefix", prefix, "--spool-dir", dir.resolve("spool").toString(),
                // segments roll at exact record counts, never by age, so names do not depend on timing: 3600 records
                // of ~2.2 kB are ~7.9 MB, ~6 MB compressed (above the 5 MiB part size: a multipart upload on S3)
                "--segment-max-records", "3600", "--segment-max-age", "10m", "--kafka-config", kafkaConfig.toString()));
        Map<String, String> env = kind.equals("s3") ? S3Test.environment(s3) : Map.of();
        if (kind.equals("s3")) {
            args.addAll(S3Test.cliArgs(s3));
            args.addAll(List.of("--s3-part-size", "5MiB"));
        }

        TopicPartition tp;
        try (Workload w = new Workload(kafka.bootstrapServers(), prefix, 2000)) {
            TableId t = w.addTable("public", "big", 1);
            // exactly two full segments: the second is the one the crash cuts off and the re-run writes
            for (int i = 0; i < 2 * 3600; i++) {
                w.transaction(1);
            }
            w.flush();
            tp = new TopicPartition(t.topic(prefix), 0);
        }
        long end = ArchiveAudit.endOffsets(kafka.bootstrapServers(), List.of(tp.topic())).get(tp);
        String segDir = new ArchiveLayout(prefix).segmentsDir(TableId.fromTopic(prefix, tp.topic()).orElseThrow(), 0);

        try (ObjectStore store = kind.equals("fs") ? new FileSystemStore(dir.resolve("archive")) : ObjectStores.open(storeUri, S3Test.options(s3))) {
            Path marker = dir.resolve("crashed-key");
            Map<String, String> crashEnv = new HashMap<>(env);
            crashEnv.put("PGKB_CRASH_AT_SEGMENT", "2");
            crashEnv.put("PGKB_CRASH_MARKER", marker.toString());
            try (ArchiverProcess crashing = ArchiverProcess.start(CrashingArchiverMain.class.getName(),
                    logDir.resolve("crashing.log"), crashEnv, args)) {
                assertThat(crashing.waitFor(120)).as("died mid-upload, log %s", crashing.log()).isEqualTo(137);
            }
            String crashedKey = Files.readString(marker);
            assertThat(crashedKey).startsWith(segDir);
            assertThat(store.exists(crashedKey)).as("partial object visible").isFalse();
            List<String> before = names(store, segDir);
            assertThat(before).as("only the first segment is visible").hasSize(1);
            if (kind.equals("s3")) {
                assertThat(openMultipartUploads()).as("the crash happened mid-multipart").isPositive();
            } else {
                try (Stream<Path> files = Files.walk(dir.resolve("archive"))) {
                    assertThat(files.filter(p -> p.getFileName().toString().startsWith(".pgkb-tmp-")).count())
                            .as("the crash happened mid-write").isPositive();
                }
            }

            // on S3 the re-run starts while the store does not answer: it waits, says so once, and archives once it answers
            try (StoreOutage outage = kind.equals("s3") ? new StoreOutage() : null;
                 ArchiverProcess rerun = ArchiverProcess.start(logDir.resolve("rerun.log"), env, args)) {
                if (outage != null) {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                            .until(() -> !rerun.isAlive() || logLines(rerun).anyMatch(l -> l.contains(WAITING)));
                    assertThat(rerun.isAlive()).as("waiting, not exited; log %s", rerun.log()).isTrue();
                    outage.end();
                }
                rerun.awaitStarted();
                if (outage != null) {
                    List<String> lines = logLines(rerun).toList();
                    int at = lines.indexOf(lines.stream().filter(l -> l.contains(WAITING)).findFirst().orElseThrow());
                    assertThat(lines.get(at)).as("names the store").contains("s3://crash/" + prefix, s3.endpoint().getAuthority());
                    assertThat(lines.get(at + 1)).as("one line, no stack trace").doesNotStartWith("\t").doesNotStartWith("Caused by");
                    assertThat(lines).filteredOn(l -> l.contains("does not answer")).hasSize(1);
                    assertThat(lines).anyMatch(l -> l.contains("object store answers after"));
                }
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> ArchiveAudit.archivedEnd(store, segDir) >= end);
                assertThat(rerun.terminate()).as("exit after SIGTERM, log %s", rerun.log()).isZero();
            }
            List<String> after = names(store, segDir);
            assertThat(after).startsWith(before.toArray(String[]::new));
            assertThat(after).contains(crashedKey.substring(segDir.length()));
            ArchiveAudit.PartitionAudit audit = ArchiveAudit.auditPartition(store, prefix, tp, end);
            assertThat(audit.overlapping()).isZero();
            assertThat(audit.records()).isEqualTo(end);
        }
    }

    /** S3Proxy stopped from construction until {@link #end} or close, whichever comes first. */
    private static final class StoreOutage implements AutoCloseable {
        private boolean down = true;

        StoreOutage() {
            s3.stop();
        }

        void end() {
            if (down) {
                down = false;
                s3.startAgain();
            }
        }

        @Override
        public void close() {
            end();
        }
    }

    private static Stream<String> logLines(ArchiverProcess p) throws IOException {
        return Files.exists(p.log()) ? Files.readAllLines(p.log()).stream() : Stream.empty();
    }

    private static List<String> names(ObjectStore store, String dir) throws IOException {
        return store.list(dir).stream().map(o -> o.key().substring(dir.length())).toList();
    }

    private static long openMultipartUploads() {
        try (S3Client c = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(S3Test.options(s3).credentials()).build()) {
            return c.listMultipartUploads(r -> r.bucket("crash")).uploads().size();
        }
    }
}
