package io.pgkb.archiver;

import io.pgkb.archiver.internal.Assignment;
import io.pgkb.archiver.internal.ConsumerSettings;
import io.pgkb.archiver.internal.OffsetCommits;
import io.pgkb.archiver.internal.PartitionState;
import io.pgkb.archiver.internal.Quarantine;
import io.pgkb.archiver.internal.RecordValidator;
import io.pgkb.archiver.internal.RewriteWatch;
import io.pgkb.archiver.internal.SegmentBuilders;
import io.pgkb.archiver.internal.Spool;
import io.pgkb.archiver.internal.UploadFailures;
import io.pgkb.archiver.internal.Uploads;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SchemaTopicKeys;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.Topics;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver: one member of a consumer group that turns every table topic, {@code _progress} and
 * {@code _schemas} of a prefix into segment objects in the store.
 *
 * <p>Guarantees: an offset is committed to Kafka only after the segment holding it is durable in the store
 * (invariant 3); on assignment a partition resumes after the last offset found in the archive (the committed
 * offset is only a fallback when the archive has none); uploads run on an executor, never the poll thread, and
 * a partition whose next segment is full while the previous one uploads is paused; the result of an upload for
 * a partition revoked since is never committed. Segment names are exact offset ranges, so a re-upload by
 * another member or after a crash lands on the same key with the same records.
 *
 * <p>This class is the poll loop and the rebalance listener; a partition's state is a {@link PartitionState},
 * appends run on {@link SegmentBuilders}, uploads on {@link Uploads}, local files live in the {@link Spool}, bad
 * records go to {@link Quarantine}.
 *
 * <p>{@link #run()} blocks until {@link #stop()} (graceful: uploads what is buffered, commits, returns) or a
 * fatal error (thrown).
 */
public final class Archiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Archiver.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration REVOKE_WAIT = Duration.ofSeconds(20);
    private static final long RETRY_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ArchiverConfig config;
    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final Spool spool;
    private final Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers;
    private final Function<Map<String, Object>, SchemaResolver> resolvers;
    private final Time time;
    private final Assignment assignment;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong recordsArchived = new AtomicLong();
    private final AtomicLong segmentsWritten = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final Quarantine quarantine;
    private final UploadFailures uploadFailures;
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile SegmentBuilders builders;
    private Uploads uploads;
    private SchemaResolver schemaResolver;
    private RecordValidator validator;
    private long lastLagUpdate;
    private OffsetCommits commits;

    public Archiver(ArchiverConfig config, ObjectStore store) {
        this(config, store, KafkaConsumer::new, c -> new KafkaSchemaResolver(c, config.topicPrefix()), Time.SYSTEM);
    }

    /**
     * With the Kafka consumer, the schema resolver and the clock given (unit tests of the loop use Kafka's
     * {@code MockConsumer}); each factory gets the Kafka settings it would be created with.
     */
    Archiver(ArchiverConfig config, ObjectStore store, Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers,
             Function<Map<String, Object>, SchemaResolver> resolvers, Time time) {
        this.config = config;
        this.store = store;
        this.layout = new ArchiveLayout(config.topicPrefix());
        this.assignment = new Assignment(config.topicPrefix(), layout, store);
        this.spool = new Spool(config.spoolDir());
        this.consumers = consumers;
        this.resolvers = resolvers;
        this.time = time;
        this.quarantine = new Quarantine(config.onBadRecord() == ArchiverConfig.BadRecordPolicy.FAIL, layout, store, spool);
        this.uploadFailures = new UploadFailures(config.spoolDir());
    }

    /**
     * Counters of this instance (tests, benchmarks). recordsBuffered: records taken into segments so far, durable or
     * not (table and progress records).
     */
    public record Stats(long recordsArchived, long segmentsWritten, long bytesWritten, long quarantined, long recordsBuffered) {
    }

    private RewriteWatch rewrites = new RewriteWatch("", (t, lsn) -> { });

    public Stats stats() {
        SegmentBuilders b = builders;
        return new Stats(recordsArchived.get(), segmentsWritten.get(), bytesWritten.get(), quarantine.count(),
                b == null ? 0 : b.recordsBuffered());
    }

    /** Tables whose topics this archiver has been assigned (any thread; for the dump scheduler). */
    public Set<TableId> knownTables() {
        return assignment.knownTables();
    }

    /** Topics this archiver consumes: every table topic of the prefix, {@code _progress} and {@code _schemas}. */
    public static Pattern topicPattern(String prefix) {
        return new Topics(prefix).all();
    }

    public void run() {
        try {
            spool.open();
            builders = new SegmentBuilders();
            schemaResolver = resolvers.apply(ConsumerSettings.client(config.kafka()));
            uploads = new Uploads(store, layout, schemaResolver, config.uploadThreads());
            validator = new RecordValidator(schemaResolver);
            consumer = consumers.apply(ConsumerSettings.groupMember(config.kafka(), config.group()));
            commits = new OffsetCommits(consumer, time);
            consumer.subscribe(topicPattern(config.topicPrefix()), new Rebalance());
            log.info("archiver started group={} prefix={} store={} spool={}", config.group(), config.topicPrefix(),
                    store.describe(""), spool.dir());
            boolean graceful = false;
            try {
                while (running.get()) {
                    ConsumerRecords<byte[], byte[]> batch;
                    try {
                        batch = consumer.poll(POLL);
                    } catch (WakeupException e) {
                        continue; // stop() was called; the loop condition decides
                    }
                    for (TopicPartition tp : batch.partitions()) {
                        PartitionState s = assignment.get(tp);
                        if (s != null) {
                            append(s, batch.records(tp));
                        }
                    }
                    rollAged();
                    processResults(false);
                    resumeRetries();
                    commits.retryPending();
                    updateLag();
                }
                graceful = true;
            } finally {
                shutdown(graceful);
            }
        } catch (IOException e) {
            throw new PgkbException.FatalException("archiver failed: " + e.getMessage(), e);
        } catch (KafkaException e) {
            // a pgkb error thrown inside a rebalance callback arrives wrapped by the consumer
            if (e.getCause() instanceof PgkbException p) {
                throw p;
            }
            throw PgkbException.reachingKafka("archiver failed: Kafka: " + e.getMessage(), e);
        } finally {
            finished.countDown();
        }
    }

    /** Asks {@link #run()} to finish gracefully; returns at once. Safe from any thread (e.g. a shutdown hook). */
    public void stop() {
        running.set(false);
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Waits until {@link #run()} has returned. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        stop();
    }

    // ---- appending ----------------------------------------------------------------------------------------

    private void append(PartitionState s, List<ConsumerRecord<byte[], byte[]>> records) throws IOException {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (!s.accept(r.offset())) {
                continue; // already in the archive
            }
            if (s.kind() == PartitionState.Kind.SCHEMAS) {
                appendSchema(s, r);
                continue;
            }
            ArchivedRecord a;
            try {
                a = s.kind() == PartitionState.Kind.PROGRESS ? validator.progressRecord(r) : validator.tableRecord(r);
            } catch (RecordValidator.Invalid e) {
                quarantine.handle(r, e.getMessage());
                continue;
            }
            rewrites.check(s.tp(), a, schemaResolver);
            if (!s.hasOpenSegment()) {
                openSegment(s, a.offset());
            }
            s.append(a, SegmentWriter.sizeOf(a));
            // Roll exactly at the limit, so segment names depend only on the records and the limits.
            if (s.isFull(config.segmentMaxBytes(), config.segmentMaxRecords())) {
                builders.seal(s);
            }
        }
        builders.flush(s);
        if (!s.uploading()) {
            uploads.startNext(s);
        }
        if (s.pauseIfBacklogged()) {
            consumer.pause(List.of(s.tp())); // full segments wait for an upload: stop fetching more for now
        }
    }

    /**
     * Who hears of a DDL that rewrote a table (table, the DDL's commit_lsn), on the poll thread: the dump scheduler,
     * which dumps it as soon as it can. Set before {@link #run()}.
     */
    public Archiver onRewrite(BiConsumer<TableId, Long> listener) {
        this.rewrites = new RewriteWatch(config.topicPrefix(), listener);
        return this;
    }

    /**
     * A new open segment starting at {@code offset}. Its own method: once per segment, so the JIT keeps it out of
     * the per-record loop it compiles (the loop was the largest compilation of the archiver's run).
     */
    private void openSegment(PartitionState s, long offset) throws IOException {
        s.open(new SegmentWriter(spool.segmentFile(s.tp(), offset), s.tp().topic(), s.tp().partition(), schemaResolver),
                offset, time.nanoseconds());
    }

    private void appendSchema(PartitionState s, ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null || r.key() == null) {
            return; // a tombstone or keyless record carries no schema
        }
        String key = new String(r.key(), StandardCharsets.UTF_8);
        if (SchemaTopicKeys.isProducerGuard(key)) {
            return; // the producer's guards against a change of encoding or registry; every record shows its framing itself
        }
        if (SchemaTopicKeys.isRegistryId(key)
                && !SchemaTopicKeys.isFingerprint(new String(r.value(), StandardCharsets.UTF_8))) {
            quarantine.handle(r, "a registry id record whose value is not a 16-digit lower-case hex fingerprint");
            return;
        }
        if (!SchemaTopicKeys.isFingerprint(key) && !SchemaTopicKeys.isRegistryId(key)) {
            quarantine.handle(r, "key is not a 16-digit lower-case hex fingerprint (nor registry-<id>)");
            return;
        }
        s.addSchema(new PartitionState.SchemaEntry(r.offset(), key, r.value()));
    }

    private void rollAged() {
        long now = time.nanoseconds();
        long maxAge = config.segmentMaxAge().toNanos();
        for (PartitionState s : assignment.states()) {
            if (s.agedOut(now, maxAge)) {
                try {
                    builders.seal(s);
                } catch (IOException e) {
                    throw new PgkbException.FatalException("archiver failed: " + e.getMessage(), e);
                }
                uploads.startNext(s);
            }
        }
    }

    // ---- upload results -----------------------------------------------------------------------------------

    /** Commits what became durable; with {@code all}, waits for every upload in flight first. */
    private void processResults(boolean all) {
        if (all) {
            for (PartitionState s : assignment.states()) {
                waitFor(s.inFlight(), Duration.ofMinutes(10));
            }
        }
        Map<TopicPartition, OffsetAndMetadata> durable = new HashMap<>();
        for (Uploads.Result r; (r = uploads.poll()) != null; ) {
            PartitionState s = r.state();
            s.uploadFinished();
            TopicPartition tp = s.tp();
            if (!assignment.isCurrent(s)) {
                log.info("upload result of a revoked partition discarded topic={} partition={} offsets={}-{}",
                        tp.topic(), tp.partition(), r.first(), r.last());
                continue;
            }
            if (r.error() != null) {
                retryFrom(s, r);
                continue;
            }
            durable.put(tp, new OffsetAndMetadata(r.last() + 1));
            uploadFailures.succeeded(tp, time.nanoseconds());
            recordsArchived.addAndGet(r.count());
            segmentsWritten.incrementAndGet();
            bytesWritten.addAndGet(r.bytes());
            ArchiverMetrics.RECORDS.labelValues(tp.topic()).inc(r.count());
            ArchiverMetrics.SEGMENTS.labelValues(tp.topic()).inc();
            ArchiverMetrics.BYTES.labelValues(tp.topic()).inc(r.bytes());
            uploads.startNext(s);
            if (s.resumeIfDrained()) {
                consumer.resume(List.of(tp));
            }
        }
        commits.commit(durable);
    }

    /** A failed upload is retried by reading its records again from Kafka, after a pause (said once a minute). */
    private void retryFrom(PartitionState s, Uploads.Result r) {
        ArchiverMetrics.UPLOAD_FAILURES.inc();
        uploadFailures.failed(s.tp(), r.first(), r.last(), r.error(), time.nanoseconds());
        boolean pause = s.retryFrom(r.first(), time.nanoseconds() + RETRY_PAUSE_NANOS);
        consumer.seek(s.tp(), r.first());
        if (pause) {
            consumer.pause(List.of(s.tp()));
        }
    }

    private void resumeRetries() {
        long now = time.nanoseconds();
        for (PartitionState s : assignment.states()) {
            if (s.retryDue(now)) {
                consumer.resume(List.of(s.tp()));
            }
        }
    }

    private static void waitFor(Future<?> f, Duration timeout) {
        if (f == null) {
            return;
        }
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("upload did not finish in time error={}", e.toString());
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------

    private void shutdown(boolean graceful) {
        try {
            if (graceful) {
                // Flush what is buffered: every partition gets its last segment uploaded and committed.
                // Seal every open segment; each completed upload starts the partition's next one (processResults).
                for (PartitionState s : assignment.states()) {
                    if (s.hasOpenSegment()) {
                        try {
                            builders.seal(s);
                        } catch (IOException e) {
                            throw new PgkbException.FatalException("archiver failed: " + e.getMessage(), e);
                        }
                    }
                    if (!s.uploading()) {
                        uploads.startNext(s);
                    }
                }
                while (assignment.states().stream().anyMatch(PartitionState::uploading)) {
                    processResults(true);
                }
                log.info("archiver stopped gracefully records={} segments={} bytes={}", recordsArchived.get(),
                        segmentsWritten.get(), bytesWritten.get());
            } else {
                // Failing: commit only what is already durable, never what is still buffered.
                for (PartitionState s : assignment.states()) {
                    s.abandon();
                }
                processResults(true);
            }
        } catch (RuntimeException e) {
            log.warn("error while stopping: {}", e.toString());
        } finally {
            assignment.releaseAll();
            if (consumer != null) {
                try {
                    consumer.close(Duration.ofSeconds(10));
                } catch (KafkaException e) {
                    log.warn("error closing consumer: {}", e.toString());
                }
            }
            if (uploads != null) {
                uploads.close();
            }
            if (builders != null) {
                builders.close();
            }
            if (schemaResolver instanceof KafkaSchemaResolver k) {
                k.close();
            }
            spool.delete();
        }
    }

    private void updateLag() {
        long now = time.nanoseconds();
        if (now - lastLagUpdate < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastLagUpdate = now;
        for (PartitionState s : assignment.states()) {
            TopicPartition tp = s.tp();
            consumer.currentLag(tp).ifPresent(lag ->
                    ArchiverMetrics.LAG.labelValues(tp.topic(), Integer.toString(tp.partition())).set(lag));
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Uploads already running are let finish so their offsets can be committed before the partition moves;
            // whatever is still only buffered is abandoned: the next owner reads it again.
            long deadline = System.nanoTime() + REVOKE_WAIT.toNanos();
            for (TopicPartition tp : partitions) {
                PartitionState s = assignment.get(tp);
                if (s != null) {
                    s.abandon();
                    waitFor(s.inFlight(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                }
            }
            processResultsOf(partitions);
            release(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions); // no longer ours: nothing may be committed for them
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                assignment.assign(partitions, consumer);
            }
        }

        private void processResultsOf(Collection<TopicPartition> partitions) {
            try {
                processResults(false);
            } catch (KafkaException e) {
                log.warn("commit before revocation failed partitions={} error={}", partitions, e.toString());
            }
        }

        private void release(Collection<TopicPartition> partitions) {
            partitions.forEach(assignment::release);
            partitions.forEach(uploadFailures::released);
        }
    }
}
