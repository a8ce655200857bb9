package io.pgkb.archiver;

import io.pgkb.archiver.internal.ArchiverMetrics;
import io.pgkb.archiver.internal.PartitionState;
import io.pgkb.archiver.internal.RecordValidator;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.Names;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentMetadata;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.ObjectStore;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
    private final String progressTopic;
    private final String schemasTopic;
    private final Path spool;
    private final Map<TopicPartition, PartitionState> states = new HashMap<>();
    private final ConcurrentLinkedQueue<UploadResult> results = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Long> retryAt = new HashMap<>();
    /** Listings of a partition's segments at assignment: 5 attempts, 1+2+4+8 s apart. */
    private static final int LIST_ATTEMPTS = 5;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong recordsArchived = new AtomicLong();
    /** Records read from Kafka and put into an open segment (not yet durable); for benchmarks and monitoring. */
    private final AtomicLong recordsBuffered = new AtomicLong();
    private final AtomicLong segmentsWritten = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();
    private final Set<TableId> knownTables = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private ExecutorService uploads;
    private ExecutorService builders;
    /** Bytes of records handed to the builders and not yet appended (bounded by {@link #MAX_BUILDING_BYTES}). */
    private final AtomicLong building = new AtomicLong();
    private static final long MAX_BUILDING_BYTES = 32L * 1024 * 1024;
    private KafkaSchemaResolver schemaResolver;
    private RecordValidator validator;
    private long lastLagUpdate;

    public Archiver(ArchiverConfig config, ObjectStore store) {
        this.config = config;
        this.store = store;
        this.layout = new ArchiveLayout(config.topicPrefix());
        this.progressTopic = config.topicPrefix() + "._progress";
        this.schemasTopic = config.topicPrefix() + "._schemas";
        this.spool = config.spoolDir().resolve("archiver-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    }

    /** Counters of this instance (tests, benchmarks). */
    /** recordsBuffered: records taken into segments so far, durable or not (table and progress records). */
    public record Stats(long recordsArchived, long segmentsWritten, long bytesWritten, long quarantined, long recordsBuffered) {
    }

    public Stats stats() {
        return new Stats(recordsArchived.get(), segmentsWritten.get(), bytesWritten.get(), quarantined.get(), recordsBuffered.get());
    }

    /** Tables whose topics this archiver has been assigned (any thread; for the dump scheduler). */
    public Set<TableId> knownTables() {
        return Set.copyOf(knownTables);
    }

    /** Topics this archiver consumes: every table topic of the prefix, {@code _progress} and {@code _schemas}. */
    public static Pattern topicPattern(String prefix) {
        return Pattern.compile(Pattern.quote(prefix) + "\\.(_progress|_schemas|[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)");
    }

    public void run() {
        try {
            Files.createDirectories(spool);
            deleteStaleSpools();
            uploads = Executors.newFixedThreadPool(config.uploadThreads(), r -> {
                Thread t = new Thread(r, "pgkb-upload");
                t.setDaemon(true);
                return t;
            });
            builders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "pgkb-segment-builder");
                t.setDaemon(true);
                return t;
            });
            schemaResolver = new KafkaSchemaResolver(clientConfig(), config.topicPrefix());
            validator = new RecordValidator(schemaResolver);
            consumer = new KafkaConsumer<>(consumerConfig());
            consumer.subscribe(topicPattern(config.topicPrefix()), new Rebalance());
            log.info("archiver started group={} prefix={} store={} spool={}", config.group(), config.topicPrefix(),
                    store.describe(""), spool);
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
                        PartitionState s = states.get(tp);
                        if (s != null) {
                            append(s, batch.records(tp));
                        }
                    }
                    rollAged();
                    processResults(false);
                    resumeRetries();
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
            throw new PgkbException.FatalException("archiver failed: Kafka: " + e.getMessage(), e);
        } finally {
            finished.countDown();
        }
    }

    /** Asks {@link #run()} to finish gracefully; returns at once. Safe from any thread (e.g. a shutdown hook). */
    public void stop() {
        running.set(false);
        KafkaConsumer<byte[], byte[]> c = consumer;
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

    /**
     * Kafka settings of both consumers (records and {@code _schemas}). A consumer's close waits for the broker's
     * answer to the fetch that closes its fetch session, and the broker holds that answer up to {@code
     * fetch.max.wait.ms} (Kafka's default 500 ms, see KAFKA-19884): every graceful stop, so every rolling restart,
     * waited that long after its last commit (0.4 s of a 3-s run in the benchmark). 100 ms costs an
     * idle archiver a few more empty fetches per second and a busy one nothing: {@code fetch.min.bytes} is 1, so a
     * fetch with data is answered at once either way. An operator's {@code --kafka-config} still decides.
     */
    private Map<String, Object> clientConfig() {
        Map<String, Object> c = new HashMap<>(config.kafka());
        c.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return c;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> c = clientConfig();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // offsets follow durability, never a timer
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5000); // new table topics are picked up within seconds
        c.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return c;
    }

    // ---- appending ----------------------------------------------------------------------------------------

    private void append(PartitionState s, List<ConsumerRecord<byte[], byte[]>> records) throws IOException {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.offset() < s.nextOffset) {
                continue; // already in the archive
            }
            s.nextOffset = r.offset() + 1;
            if (s.kind == PartitionState.Kind.SCHEMAS) {
                appendSchema(s, r);
                continue;
            }
            ArchivedRecord a;
            try {
                a = s.kind == PartitionState.Kind.PROGRESS ? validator.progressRecord(r) : validator.tableRecord(r);
            } catch (RecordValidator.Invalid e) {
                handleBadRecord(r, e.getMessage());
                continue;
            }
            if (s.active == null) {
                openSegment(s, a.offset());
            }
            long size = SegmentWriter.sizeOf(a);
            s.pending.add(a);
            s.pendingBytes += size;
            s.activeCount++;
            s.activeBytes += size;
            s.activeLast = a.offset();
            // Roll exactly at the limit, so segment names depend only on the records and the limits.
            if (isFull(s)) {
                seal(s);
            }
        }
        flushPending(s);
        if (s.inFlight == null) {
            uploadNext(s);
        }
        if (!s.sealed.isEmpty() && !s.paused) {
            consumer.pause(List.of(s.tp)); // full segments wait for an upload: stop fetching more for now
            s.paused = true;
        }
    }

    /**
     * A new open segment starting at {@code offset}. Its own method: once per segment, so the JIT keeps it out of
     * the per-record loop it compiles (the loop was the largest compilation of the archiver's run).
     */
    private void openSegment(PartitionState s, long offset) throws IOException {
        s.active = new SegmentWriter(spool.resolve(Names.escape(s.tp.topic()) + "-" + s.tp.partition() + "-"
                + offset + ".spool"), s.tp.topic(), s.tp.partition(), schemaResolver);
        s.activeStartedNanos = System.nanoTime();
        s.activeCount = 0;
        s.activeBytes = 0;
        s.activeFirst = offset;
    }

    /** Starts the next upload of a partition with none in flight: a sealed segment, or buffered schemas. */
    private void uploadNext(PartitionState s) {
        if (s.kind == PartitionState.Kind.SCHEMAS) {
            if (!s.schemaBuffer.isEmpty()) {
                startSchemaUpload(s);
            }
        } else if (!s.sealed.isEmpty()) {
            startUpload(s, s.sealed.poll());
        }
    }

    private void appendSchema(PartitionState s, ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null || r.key() == null) {
            return; // a tombstone or keyless record carries no schema
        }
        String fp = new String(r.key(), StandardCharsets.UTF_8);
        if (!fp.matches("[0-9a-f]{16}")) {
            handleBadRecord(r, "key is not a 16-digit lower-case hex fingerprint");
            return;
        }
        s.schemaBuffer.add(new PartitionState.SchemaEntry(r.offset(), fp, r.value()));
    }

    private boolean isFull(PartitionState s) {
        return s.activeBytes >= config.segmentMaxBytes() || s.activeCount >= config.segmentMaxRecords();
    }

    /** Hands the records appended to the open segment in this batch to the builders, after earlier ones. */
    private void flushPending(PartitionState s) throws IOException {
        if (s.pending.isEmpty()) {
            return;
        }
        List<ArchivedRecord> batch = new ArrayList<>(s.pending);
        recordsBuffered.addAndGet(batch.size()); // once per batch: the benchmark reads this counter all the time
        long batchBytes = s.pendingBytes;
        s.pending.clear();
        s.pendingBytes = 0;
        SegmentWriter w = s.active;
        awaitBuilderRoom(batchBytes);
        building.addAndGet(batchBytes);
        s.chain = s.chain.thenRunAsync(() -> {
            try {
                for (ArchivedRecord a : batch) {
                    w.append(a);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                building.addAndGet(-batchBytes);
            }
        }, builders);
    }

    /** Bounded memory: the poll thread waits while the builders hold too many records not yet appended. */
    private void awaitBuilderRoom(long bytes) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (building.get() > 0 && building.get() + bytes > MAX_BUILDING_BYTES) {
            if (System.nanoTime() > deadline) {
                throw new IOException("segment builders made no progress for 60s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void seal(PartitionState s) throws IOException {
        flushPending(s);
        s.sealed.add(new PartitionState.Sealed(s.active, s.activeFirst, s.activeLast, s.chain));
        s.active = null;
    }

    private void handleBadRecord(ConsumerRecord<byte[], byte[]> r, String problem) {
        if (config.onBadRecord() == ArchiverConfig.BadRecordPolicy.FAIL) {
            throw new BadRecordException(r.topic(), r.partition(), r.offset(), problem);
        }
        String key = layout.quarantine(r.topic(), r.partition(), r.offset());
        // The whole record (key, value, headers) as a one-record segment, so nothing of it is lost.
        Path spoolFile = spool.resolve("quarantine-" + UUID.randomUUID() + ".spool");
        try (SegmentWriter w = new SegmentWriter(spoolFile, r.topic(), r.partition());
             ObjectStore.ObjectWriter out = store.create(key)) {
            w.append(ArchivedRecord.of(r, 0, 0));
            w.finish(out);
            out.commit();
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot quarantine bad record topic=" + r.topic() + " partition="
                    + r.partition() + " offset=" + r.offset() + " at " + store.describe(key) + ": " + e.getMessage(), e);
        }
        quarantined.incrementAndGet();
        ArchiverMetrics.QUARANTINED.labelValues(r.topic()).inc();
        log.error("bad record quarantined topic={} partition={} offset={} object={} problem={}", r.topic(),
                r.partition(), r.offset(), store.describe(key), problem);
    }

    private void rollAged() {
        long now = System.nanoTime();
        long maxAge = config.segmentMaxAge().toNanos();
        for (PartitionState s : states.values()) {
            if (s.active != null && s.inFlight == null && s.sealed.isEmpty() && now - s.activeStartedNanos >= maxAge) {
                try {
                    seal(s);
                } catch (IOException e) {
                    throw new PgkbException.FatalException("archiver failed: " + e.getMessage(), e);
                }
                uploadNext(s);
            }
        }
    }

    // ---- uploading ----------------------------------------------------------------------------------------

    private record UploadResult(PartitionState state, long first, long last, long count, long bytes, Exception error) {
    }

    private void startSchemaUpload(PartitionState s) {
        {
            List<PartitionState.SchemaEntry> entries = new ArrayList<>(s.schemaBuffer);
            s.schemaBuffer.clear();
            long first = entries.get(0).offset();
            long last = entries.get(entries.size() - 1).offset();
            s.inFlight = uploads.submit(() -> {
                try {
                    long bytes = 0;
                    for (PartitionState.SchemaEntry e : entries) {
                        String key = layout.schema(e.fingerprint());
                        if (!store.exists(key)) { // a fingerprint names one schema for good
                            store.put(key, e.json());
                            bytes += e.json().length;
                        }
                    }
                    results.add(new UploadResult(s, first, last, entries.size(), bytes, null));
                } catch (Exception e) {
                    results.add(new UploadResult(s, first, last, 0, 0, e));
                }
            });
        }
    }

    /** Uploads a sealed segment once its appends are built; the result goes to {@link #results} either way. */
    private void startUpload(PartitionState s, PartitionState.Sealed x) {
        SegmentWriter w = x.writer();
        String key = s.segmentsDir + ArchiveLayout.segmentName(x.first(), x.last());
        s.inFlight = x.built().handleAsync((ignored, buildError) -> {
            if (buildError != null) {
                closeQuietly(w);
                results.add(new UploadResult(s, x.first(), x.last(), 0, 0,
                        buildError instanceof Exception e ? e : new RuntimeException(buildError)));
                return null;
            }
            try (w; ObjectStore.ObjectWriter out = store.create(key)) {
                CountingStream counting = new CountingStream(out);
                SegmentMetadata meta = w.finish(counting);
                out.commit();
                log.debug("segment written object={} records={} bytes={}", key, meta.count(), counting.count);
                results.add(new UploadResult(s, meta.firstOffset(), meta.lastOffset(), meta.count(), counting.count, null));
            } catch (Exception e) {
                results.add(new UploadResult(s, x.first(), x.last(), 0, 0, e));
            }
            return null;
        }, uploads);
    }

    private static void closeQuietly(SegmentWriter w) {
        try {
            w.close();
        } catch (IOException e) {
            log.warn("cannot delete spool file error={}", e.getMessage());
        }
    }

    /** Commits what became durable; with {@code all}, waits for every upload in flight first. */
    private void processResults(boolean all) {
        if (all) {
            for (PartitionState s : states.values()) {
                waitFor(s.inFlight, Duration.ofMinutes(10));
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (UploadResult r; (r = results.poll()) != null; ) {
            PartitionState s = r.state;
            s.inFlight = null;
            if (states.get(s.tp) != s) {
                log.info("upload result of a revoked partition discarded topic={} partition={} offsets={}-{}",
                        s.tp.topic(), s.tp.partition(), r.first, r.last);
                continue;
            }
            if (r.error != null) {
                retryFrom(s, r);
                continue;
            }
            commits.put(s.tp, new OffsetAndMetadata(r.last + 1));
            recordsArchived.addAndGet(r.count);
            segmentsWritten.incrementAndGet();
            bytesWritten.addAndGet(r.bytes);
            ArchiverMetrics.RECORDS.labelValues(s.tp.topic()).inc(r.count);
            ArchiverMetrics.SEGMENTS.labelValues(s.tp.topic()).inc();
            ArchiverMetrics.BYTES.labelValues(s.tp.topic()).inc(r.bytes);
            uploadNext(s);
            if (s.paused && s.sealed.isEmpty() && !retryAt.containsKey(s.tp)) {
                consumer.resume(List.of(s.tp));
                s.paused = false;
            }
        }
        commit(commits);
    }

    /** A failed upload is retried by reading its records again from Kafka, after a pause. */
    private void retryFrom(PartitionState s, UploadResult r) {
        ArchiverMetrics.UPLOAD_FAILURES.inc();
        log.error("segment upload failed, will re-read from Kafka topic={} partition={} offsets={}-{} error={}",
                s.tp.topic(), s.tp.partition(), r.first, r.last, r.error.toString());
        abandon(s);
        s.nextOffset = r.first;
        consumer.seek(s.tp, r.first);
        if (!s.paused) {
            consumer.pause(List.of(s.tp));
            s.paused = true;
        }
        retryAt.put(s.tp, System.nanoTime() + RETRY_PAUSE_NANOS);
    }

    private void resumeRetries() {
        long now = System.nanoTime();
        retryAt.entrySet().removeIf(e -> {
            if (now < e.getValue()) {
                return false;
            }
            PartitionState s = states.get(e.getKey());
            if (s != null && s.paused && s.inFlight == null) {
                consumer.resume(List.of(s.tp));
                s.paused = false;
            }
            return true;
        });
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> commits) {
        if (commits.isEmpty()) {
            return;
        }
        try {
            try {
                consumer.commitSync(commits);
            } catch (WakeupException e) {
                consumer.commitSync(commits); // stop() woke the consumer outside poll(); a wakeup fires once
            }
        } catch (CommitFailedException | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            // The archive already holds these segments and is what resumption trusts; the offset is only a hint.
            log.warn("offset commit skipped during a rebalance partitions={} error={}", commits.keySet(), e.getMessage());
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

    /** Drops a partition's unuploaded segments; their writers close once the appends already queued are done. */
    private static void abandon(PartitionState s) {
        List<SegmentWriter> writers = new ArrayList<>();
        if (s.active != null) {
            writers.add(s.active);
            s.active = null;
        }
        for (PartitionState.Sealed x; (x = s.sealed.poll()) != null; ) {
            writers.add(x.writer());
        }
        s.pending.clear();
        s.pendingBytes = 0;
        s.schemaBuffer.clear();
        if (!writers.isEmpty()) {
            s.chain.whenComplete((v, e) -> writers.forEach(Archiver::closeQuietly));
        }
        s.chain = java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------

    private void shutdown(boolean graceful) {
        try {
            if (graceful) {
                // Flush what is buffered: every partition gets its last segment uploaded and committed.
                // Seal every open segment; each completed upload starts the partition's next one (processResults).
                for (PartitionState s : states.values()) {
                    if (s.active != null) {
                        try {
                            seal(s);
                        } catch (IOException e) {
                            throw new PgkbException.FatalException("archiver failed: " + e.getMessage(), e);
                        }
                    }
                    if (s.inFlight == null) {
                        uploadNext(s);
                    }
                }
                while (states.values().stream().anyMatch(s -> s.inFlight != null)) {
                    processResults(true);
                }
                log.info("archiver stopped gracefully records={} segments={} bytes={}", recordsArchived.get(),
                        segmentsWritten.get(), bytesWritten.get());
            } else {
                // Failing: commit only what is already durable, never what is still buffered.
                for (PartitionState s : states.values()) {
                    abandon(s);
                }
                processResults(true);
            }
        } catch (RuntimeException e) {
            log.warn("error while stopping: {}", e.toString());
        } finally {
            for (PartitionState s : states.values()) {
                abandon(s);
                ArchiverMetrics.LAG.remove(s.tp.topic(), Integer.toString(s.tp.partition()));
            }
            states.clear();
            if (consumer != null) {
                try {
                    consumer.close(Duration.ofSeconds(10));
                } catch (KafkaException e) {
                    log.warn("error closing consumer: {}", e.toString());
                }
            }
            if (uploads != null) {
                uploads.shutdownNow();
            }
            if (builders != null) {
                builders.shutdownNow();
            }
            if (schemaResolver != null) {
                schemaResolver.close();
            }
            deleteSpool();
        }
    }

    /** Spool directories of archivers that died (SIGKILL) hold nothing anyone needs: Kafka has those records. */
    private void deleteStaleSpools() {
        try (var dirs = Files.list(config.spoolDir())) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String[] parts = d.getFileName().toString().split("-");
                if (parts.length < 3 || !parts[0].equals("archiver") || d.equals(spool)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    try (var files = Files.list(d)) {
                        for (Path f : (Iterable<Path>) files::iterator) {
                            Files.deleteIfExists(f);
                        }
                    }
                    Files.deleteIfExists(d);
                    log.info("stale spool directory removed dir={}", d);
                }
            }
        } catch (IOException e) {
            log.warn("cannot clean stale spool directories dir={} error={}", config.spoolDir(), e.getMessage());
        }
    }

    private void deleteSpool() {
        try (var files = Files.list(spool)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            log.warn("cannot clean spool dir={} error={}", spool, e.getMessage());
        }
    }

    private void updateLag() {
        long now = System.nanoTime();
        if (now - lastLagUpdate < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastLagUpdate = now;
        for (PartitionState s : states.values()) {
            consumer.currentLag(s.tp).ifPresent(lag ->
                    ArchiverMetrics.LAG.labelValues(s.tp.topic(), Integer.toString(s.tp.partition())).set(lag));
        }
    }

    /** Where a partition starts: after the last offset in the archive; the committed offset only if it has none. */
    private void resume(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionState s = newState(tp);
            states.put(tp, s);
            long next = -1;
            String source = "archive";
            if (s.kind != PartitionState.Kind.SCHEMAS) {
                next = nextOffsetInArchive(s.segmentsDir);
            }
            OffsetAndMetadata c = committed.get(tp);
            if (next < 0 && c != null) {
                next = c.offset();
                source = "committed offset";
            }
            if (next < 0) {
                fromStart.add(tp);
                s.nextOffset = 0;
                log.info("partition assigned topic={} partition={} start=beginning", tp.topic(), tp.partition());
            } else {
                consumer.seek(tp, next);
                s.nextOffset = next;
                log.info("partition assigned topic={} partition={} start={} from={}", tp.topic(), tp.partition(), next, source);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
    }

    /**
     * After the last offset of the partition's segments, or -1. A failing listing is tried again for a while (a store
     * may answer 500 or 503 for a moment, past the client's own retries): the partition cannot start without it,
     * and giving up at once would stop the whole archiver. Bounded, well inside max.poll.interval.ms.
     */
    private long nextOffsetInArchive(String dir) {
        for (int attempt = 1; ; attempt++) {
            try {
                long last = -1;
                for (ObjectStore.ObjectInfo o : store.list(dir)) {
                    long[] range = ArchiveLayout.parseSegmentName(o.key().substring(o.key().lastIndexOf('/') + 1));
                    if (range != null) {
                        last = Math.max(last, range[1]);
                    }
                }
                return last < 0 ? -1 : last + 1;
            } catch (IOException e) {
                if (attempt >= LIST_ATTEMPTS) {
                    throw new PgkbException.FatalException("cannot list " + store.describe(dir) + " (" + attempt
                            + " attempts): " + e.getMessage(), e);
                }
                log.warn("archive listing failed, trying again dir={} attempt={} error={}", store.describe(dir), attempt, e.toString());
                try {
                    Thread.sleep(1000L << (attempt - 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new PgkbException.FatalException("interrupted while listing " + store.describe(dir));
                }
            }
        }
    }

    private PartitionState newState(TopicPartition tp) {
        if (tp.topic().equals(progressTopic)) {
            return new PartitionState(tp, PartitionState.Kind.PROGRESS, layout.progressSegmentsDir(tp.partition()));
        }
        if (tp.topic().equals(schemasTopic)) {
            return new PartitionState(tp, PartitionState.Kind.SCHEMAS, "");
        }
        TableId table = TableId.fromTopic(config.topicPrefix(), tp.topic()).orElseThrow(() ->
                new PgkbException.FatalException("topic " + tp.topic() + " is not a table topic of prefix " + config.topicPrefix()));
        knownTables.add(table);
        return new PartitionState(tp, PartitionState.Kind.TABLE, layout.segmentsDir(table, tp.partition()));
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Uploads already running are let finish so their offsets can be committed before the partition moves;
            // whatever is still only buffered is abandoned: the next owner reads it again.
            long deadline = System.nanoTime() + REVOKE_WAIT.toNanos();
            for (TopicPartition tp : partitions) {
                PartitionState s = states.get(tp);
                if (s != null) {
                    abandon(s);
                    waitFor(s.inFlight, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
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
                resume(partitions);
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
            for (TopicPartition tp : partitions) {
                PartitionState s = states.remove(tp);
                if (s != null) {
                    abandon(s); // pause state goes with the assignment
                    retryAt.remove(tp);
                    ArchiverMetrics.LAG.remove(tp.topic(), Integer.toString(tp.partition()));
                }
            }
        }
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
