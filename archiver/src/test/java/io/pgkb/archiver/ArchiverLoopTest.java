package io.pgkb.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgkb.archiver.internal.UploadFailures;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Names;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ForwardingStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The poll loop against Kafka's {@link MockConsumer} and a clock the test moves: what is committed when, what is
 * paused, where a partition restarts after a failed upload and after a revocation. The real broker's side of the
 * same guarantees is in the ITs ({@code ArchiverGroupIT}, {@code CrashDuringUploadIT}).
 */
class ArchiverLoopTest {
    private static final String PREFIX = "t";
    private static final TopicPartition TP = new TopicPartition(PREFIX + "._progress", 0);
    private static final Schema PROGRESS = loadProgress();

    @TempDir
    Path dir;

    private final SlowMockConsumer consumer = new SlowMockConsumer();
    private final ManualTime time = new ManualTime();
    private Archiver archiver;
    private Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        if (archiver != null) {
            archiver.stop();
            assertThat(archiver.awaitFinished(Duration.ofSeconds(30))).isTrue();
        }
    }

    @Test
    void commitsOnlyWhatIsDurableAndRollsAnOldSegmentByTheClock() throws Exception {
        FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        start(store);
        addRecords(0, 7);

        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 6);
        assertThat(segments(store)).containsExactly(name(0, 2),
                name(3, 5));

        // record 6 waits in the open segment until it is as old as segmentMaxAge on the archiver's clock
        time.advance(Duration.ofSeconds(59));
        assertThat(consumer.pollsAfter(2)).isTrue();
        assertThat(committed()).isEqualTo(6);
        time.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 7);
        assertThat(segments(store)).hasSize(3);
    }

    @Test
    void aFailedUploadPausesThePartitionRereadsFromItsFirstOffsetAfterTheRetryPause() throws Exception {
        FileSystemStore real = new FileSystemStore(dir.resolve("archive"));
        AtomicInteger failures = new AtomicInteger(1);
        start(new ForwardingStore(real) {
            @Override
            public ObjectWriter create(String key) throws IOException {
                if (failures.getAndDecrement() > 0) {
                    throw new IOException("injected: store unavailable");
                }
                return delegate.create(key);
            }
        });
        addRecords(0, 3);

        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.paused().contains(TP) && consumer.position(TP) == 0);
        assertThat(committed()).isEqualTo(-1);
        assertThat(consumer.pollsAfter(2)).isTrue();
        assertThat(consumer.paused()).containsExactly(TP); // the retry pause is on the archiver's clock

        time.advance(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.paused().isEmpty());
        addRecords(0, 3); // Kafka delivers them again from the offset sought
        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 3);
        assertThat(segments(real)).containsExactly(name(0, 2));
    }

    @Test
    void aRevocationMidUploadCommitsTheUploadAndTheNextAssignmentStartsAfterTheArchive() throws Exception {
        FileSystemStore real = new FileSystemStore(dir.resolve("archive"));
        CountDownLatch uploading = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        start(new ForwardingStore(real) {
            @Override
            public ObjectWriter create(String key) throws IOException {
                uploading.countDown();
                try {
                    proceed.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return delegate.create(key);
            }
        });
        addRecords(0, 5); // 0-2 sealed and uploading; 3-4 in the open segment
        assertThat(uploading.await(30, TimeUnit.SECONDS)).isTrue();

        CountDownLatch revoking = new CountDownLatch(1);
        consumer.schedulePollTask(() -> {
            revoking.countDown();
            consumer.rebalance(List.of());
        });
        assertThat(revoking.await(30, TimeUnit.SECONDS)).isTrue();
        proceed.countDown(); // the upload ends while the revocation waits for it
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.assignment().isEmpty() && committed() == 3);
        assertThat(segments(real)).containsExactly(name(0, 2));

        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.assignment().contains(TP));
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.position(TP) == 3); // records 3-4 were dropped
        addRecords(3, 6);
        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 6);
        assertThat(segments(real)).containsExactly(name(0, 2),
                name(3, 5));
    }

    @Test
    void aCommitThatTimesOutIsKeptAndTriedAgainWhileTheArchiverKeepsRunning() throws Exception {
        FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        consumer.commitFailures.set(3); // the coordinator is away for three attempts, as during a broker restart
        start(store);
        addRecords(0, 3);

        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.commitFailures.get() == 2);
        assertThat(segments(store)).containsExactly(name(0, 2)); // durable although not committed
        assertThat(committed()).isEqualTo(-1);

        for (int i = 0; i < 2; i++) { // each retry waits a second on the archiver's clock
            int before = consumer.commitFailures.get();
            time.advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.commitFailures.get() < before);
        }
        time.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 3);
        addRecords(3, 6); // and it goes on archiving
        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 6);
        assertThat(thread.isAlive()).isTrue();
        assertThat(segments(store)).containsExactly(name(0, 2), name(3, 5));
    }

    @Test
    void aFullSpoolIsRetriedAndSaidWhenItStartsOnceAMinuteAndWhenItEnds() throws Exception {
        Path devFull = Path.of("/dev/full"); // every write: ENOSPC, "No space left on device", as from a full disk
        assumeTrue(Files.isWritable(devFull), "needs /dev/full");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        ch.qos.logback.classic.Logger reporter = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(UploadFailures.class);
        reporter.addAppender(lines);
        try {
            FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
            start(store);
            Path spoolFile;
            try (var dirs = Files.list(dir.resolve("spool"))) {
                spoolFile = dirs.findFirst().orElseThrow().resolve(Names.escape(TP.topic()) + "-0-0.spool");
            }
            // failures at 0, 2, 4 and 65 s on the archiver's clock (it retries 2 s after each); room again at 67 s
            for (Duration pause : List.of(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(61), Duration.ofSeconds(2))) {
                Files.createSymbolicLink(spoolFile, devFull); // the segment's spool file on a full disk
                addRecords(0, 3);
                await().atMost(Duration.ofSeconds(30)).until(() -> consumer.paused().contains(TP) && consumer.position(TP) == 0
                        && !Files.exists(spoolFile, LinkOption.NOFOLLOW_LINKS)); // failed and abandoned
                assertThat(committed()).isEqualTo(-1);
                time.advance(pause);
                await().atMost(Duration.ofSeconds(30)).until(() -> consumer.paused().isEmpty());
            }
            addRecords(0, 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 3);
            assertThat(segments(store)).containsExactly(name(0, 2));
            assertThat(thread.isAlive()).isTrue();

            List<String> said;
            synchronized (lines) { // AppenderBase appends under the appender's lock
                said = lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                        .map(ILoggingEvent::getFormattedMessage).toList();
            }
            assertThat(said).hasSize(3);
            assertThat(said.get(0)).startsWith("archiver spool " + dir.resolve("spool") + " cannot be written")
                    .contains("No space left on device").contains("offsets=0-2");
            assertThat(said.get(1)).startsWith("archiver spool still cannot be written for=65 s partitions=1");
            assertThat(said.get(2)).isEqualTo("archiver spool writable again after 67 s");
        } finally {
            reporter.detachAppender(lines);
        }
    }

    // ---- fixture ------------------------------------------------------------------------------------------

    @Test
    void aSegmentBecomesVisibleOnlyAfterTheWriterSchemasOfItsRecordsAreInTheArchive() throws Exception {
        List<String> created = new CopyOnWriteArrayList<>();
        FileSystemStore real = new FileSystemStore(dir.resolve("archive"));
        start(new ForwardingStore(real) {
            @Override
            public ObjectWriter create(String key) throws IOException {
                created.add(key);
                return delegate.create(key);
            }
        }, new MapSchemaResolver(PROGRESS)); // _schemas itself is not archived here: nothing else would put it
        addRecords(0, 3);

        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 3);
        String schemaKey = new ArchiveLayout(PREFIX).schema(SingleObjectCodec.fingerprint(PROGRESS));
        String segmentKey = new ArchiveLayout(PREFIX).progressSegmentsDir(0) + name(0, 2);
        assertThat(created).containsSubsequence(schemaKey, segmentKey);
        assertThat(new ArchiveSchemas(real, new ArchiveLayout(PREFIX)).schema(SingleObjectCodec.fingerprint64(PROGRESS)))
                .isEqualTo(PROGRESS);
    }

    private void start(ObjectStore store) {
        start(store, new MapSchemaResolver());
    }

    private void start(ObjectStore store, MapSchemaResolver schemas) {
        ArchiverConfig config = ArchiverConfig.builder("unused:9092", PREFIX, dir.resolve("spool"))
                .segmentLimits(Long.MAX_VALUE, 3, Duration.ofSeconds(60)).build();
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        archiver = new Archiver(config, store, settings -> consumer, settings -> schemas, time);
        thread = new Thread(archiver::run, "archiver-under-test");
        thread.start();
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.assignment().contains(TP));
    }

    private void addRecords(long from, long to) {
        for (long o = from; o < to; o++) {
            consumer.addRecord(new ConsumerRecord<>(TP.topic(), TP.partition(), o, null, progress(1000 + o)));
        }
    }

    /** The last offset committed for the partition, -1 if none (MockConsumer's committed() hides a revoked one's). */
    private long committed() {
        return consumer.lastCommitted.getOrDefault(TP, -1L);
    }

    private static List<String> segments(ObjectStore store) throws IOException {
        String dir = new ArchiveLayout(PREFIX).progressSegmentsDir(0);
        return store.list(dir).stream().map(o -> o.key().substring(o.key().lastIndexOf('/') + 1)).sorted().toList();
    }

    private static String name(long first, long last) {
        return ArchiveLayout.segmentName(first, last);
    }

    private static byte[] progress(long confirmedLsn) {
        GenericRecord r = new GenericData.Record(PROGRESS);
        r.put("kind", new GenericData.EnumSymbol(PROGRESS.getField("kind").schema(), "CONFIRM"));
        r.put("confirmed_lsn", confirmedLsn);
        r.put("last_commit_lsn", confirmedLsn);
        r.put("commit_time", 0L);
        r.put("offsets", List.of());
        r.put("slot", "s");
        r.put("written_at", 0L);
        return SingleObjectCodec.encode(PROGRESS, r);
    }

    private static Schema loadProgress() {
        try (InputStream in = ArchiverLoopTest.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A MockConsumer whose empty polls take a moment, as a broker's do, so the loop does not spin a core. */
    private static final class SlowMockConsumer extends MockConsumer<byte[], byte[]> {
        private final AtomicLong polls = new AtomicLong();
        final Map<TopicPartition, Long> lastCommitted = new ConcurrentHashMap<>();
        /** How many commits from now on time out. */
        final AtomicInteger commitFailures = new AtomicInteger();

        SlowMockConsumer() {
            super("earliest");
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> r = super.poll(timeout);
            polls.incrementAndGet();
            if (r.isEmpty()) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return r;
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (commitFailures.get() > 0) {
                commitFailures.decrementAndGet();
                throw new org.apache.kafka.common.errors.TimeoutException(
                        "injected: Timeout expired before successfully committing offsets");
            }
            super.commitSync(offsets);
            offsets.forEach((tp, o) -> lastCommitted.put(tp, o.offset()));
        }

        /** Waits until the loop has completed {@code n} more polls: everything it does per poll has run since. */
        boolean pollsAfter(int n) {
            long target = polls.get() + n;
            await().atMost(Duration.ofSeconds(30)).until(() -> polls.get() >= target);
            return true;
        }
    }

    /** A clock that moves only when the test says. */
    private static final class ManualTime implements Time {
        private final AtomicLong nanos = new AtomicLong(TimeUnit.HOURS.toNanos(1));

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        @Override
        public long milliseconds() {
            return TimeUnit.NANOSECONDS.toMillis(nanos.get());
        }

        @Override
        public long nanoseconds() {
            return nanos.get();
        }

        @Override
        public void sleep(long ms) {
            advance(Duration.ofMillis(ms));
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
            throw new UnsupportedOperationException();
        }
    }
}
