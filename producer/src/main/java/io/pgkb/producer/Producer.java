package io.pgkb.producer;

import io.pgkb.producer.internal.AckTracker;
import io.pgkb.producer.internal.AvroRecordEncoder;
import io.pgkb.producer.internal.DdlCapture;
import io.pgkb.producer.internal.CatalogLookup;
import io.pgkb.producer.internal.KafkaChangeWriter;
import io.pgkb.producer.internal.PgConnections;
import io.pgkb.producer.internal.PgOutputDecoder;
import io.pgkb.producer.internal.ProducerMetrics;
import io.pgkb.producer.internal.ProgressWriter;
import io.pgkb.producer.internal.PublicationManager;
import io.pgkb.producer.internal.ServerChecks;
import io.pgkb.producer.internal.SlotManager;
import io.pgkb.producer.internal.TopicManager;
import io.pgkb.producer.internal.TransactionAssembler;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.TableId;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the pgoutput slot and publishes every change to Kafka, confirming the slot only up to the end of the newest
 * transaction whose records (and those of every earlier transaction) Kafka has acknowledged. Usable in-process:
 * {@link #start()} returns once the slot, publication and topics are ready (or throws the one-line error);
 * {@link #stop()} stops reading, flushes Kafka, confirms and writes progress.
 */
public final class Producer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Producer.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    private static final long IDLE_PARK_NANOS = 5_000_000L;

    private final io.pgkb.producer.ProducerConfig config;
    private final PgConnections connections;
    private final AckTracker tracker = new AckTracker();
    private final CatalogLookup catalog;
    private final PublicationManager publications;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile PgkbException failure;
    private volatile long confirmedLsn;
    private Thread thread;

    private Admin admin;
    private KafkaProducer<byte[], byte[]> kafka;
    private SchemaRegistrar registrar;
    private TopicManager topics;
    private ProgressWriter progress;
    private Connection control;
    private long nextRefreshNanos;
    private boolean streamedBefore;
    private boolean ddlCapture;

    public Producer(io.pgkb.producer.ProducerConfig config) {
        this.config = config;
        this.connections = new PgConnections(config.pg());
        this.catalog = new CatalogLookup(connections);
        this.publications = new PublicationManager(config.publication(), config.tables(), config.onMissingIdentity());
    }

    /** Checks and prepares everything, then streams on a background thread. Throws the one-line error of a bad setup. */
    public synchronized void start() {
        try {
            setUp();
        } catch (RuntimeException e) {
            closeResources();
            finished.countDown();
            if (e instanceof PgkbException) {
                throw e;
            }
            if (e instanceof org.apache.kafka.common.config.ConfigException) {
                throw new PgkbException.ConfigException("Kafka client configuration (--kafka-config): " + e.getMessage(), e);
            }
            throw new PgkbException.FatalException("producer setup failed: " + e, e);
        }
        thread = new Thread(this::loop, "pgkb-producer-" + config.slot());
        thread.start();
    }

    /** Runs in the calling thread until {@link #stop()} or a fatal error (thrown). */
    public void run() {
        start();
        awaitTermination();
    }

    /** Waits for the stream to end; rethrows a fatal error. */
    public void awaitTermination() {
        try {
            finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Graceful stop: stop reading, flush Kafka, confirm what is acknowledged, write progress. */
    public void stop() {
        stopping = true;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            LockSupport.unpark(t);
            try {
                finished.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return finished.getCount() > 0 && thread != null;
    }

    /** The flush LSN last confirmed to the slot. */
    public Lsn confirmedLsn() {
        return Lsn.of(confirmedLsn);
    }

    public PgkbException failure() {
        return failure;
    }

    private void setUp() {
        String where = config.pg().describe();
        try {
            control = connections.normal();
            ServerChecks.check(control, where);
        } catch (SQLException e) {
            throw connections.translate(e, "");
        } catch (PgkbException.RetriableException e) {
            throw new PgkbException.FatalException(e.getMessage(), e);
        }
        Properties client = clientProperties();
        admin = Admin.create(client);
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(15_000)).nodes().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw PgkbException.reachingKafka("cannot reach Kafka at " + config.bootstrapServers() + ": "
                    + (cause.getMessage() == null ? cause.toString() : PgConnectionsFirstLine.of(cause.getMessage())), cause);
        }
        kafka = new KafkaProducer<>(producerProperties(client));
        Map<String, Object> registrarConfig = new HashMap<>();
        client.forEach((k, v) -> registrarConfig.put((String) k, v));
        registrar = new SchemaRegistrar(registrarConfig, config.topicPrefix());
        topics = new TopicManager(admin, config.partitions(), config.maxMessageBytes());
        topics.ensureProgressTopic(config.progressTopic());
        registrar.ensureRegistered(ProgressWriter.SCHEMA);
        try {
            ddlCapture = DdlCapture.prepare(control, config.ddlCapture(), where);
            progress = new ProgressWriter(kafka, config.progressTopic(), config.slot(), ddlCapture);
            prepareSlot(client);
            publications.sync(control, t -> topics.ensureTableTopic(t.topic(config.topicPrefix())));
        } catch (SQLException e) {
            throw connections.translate(e, "");
        }
        nextRefreshNanos = System.nanoTime() + config.refreshInterval().toNanos();
        log.info("producer ready pg={} bootstrapServers={} slot={} publication={} prefix={}", where,
                config.bootstrapServers(), config.slot(), config.publication(), config.topicPrefix());
    }

    /** Validates an existing slot, or creates one; a lost slot is a loud error unless --recreate-slot records a GAP. */
    private void prepareSlot(Properties client) throws SQLException {
        Optional<SlotManager.SlotInfo> found = SlotManager.find(control, config.slot());
        String slot = config.slot();
        if (found.isPresent()) {
            SlotManager.SlotInfo s = found.get();
            if (!"pgoutput".equals(s.plugin())) {
                throw new PgkbException.ConfigException("replication slot " + slot + " uses output plugin " + s.plugin()
                        + ", not pgoutput: choose another --slot (or drop that slot if nothing else needs it)");
            }
            if (!control.getCatalog().equals(s.database())) {
                throw new PgkbException.ConfigException("replication slot " + slot + " belongs to database " + s.database()
                        + ", not " + control.getCatalog() + ": choose another --slot");
            }
            if (s.active()) {
                throw slotActive(s.activePid());
            }
            if (s.invalidated()) {
                String what = "replication slot " + slot + " was invalidated (wal_status=" + s.walStatus()
                        + ", invalidation_reason=" + s.invalidationReason() + "): changes after "
                        + s.confirmedFlush() + " are lost from the stream";
                if (!config.recreateSlot()) {
                    throw new PgkbException.FatalException(what
                            + "; restart with --recreate-slot to record a GAP in the backup and continue");
                }
                log.error("{}; --recreate-slot: dropping it, recording a GAP and continuing", what);
                SlotManager.drop(control, slot);
                recreate(s.confirmedFlush());
                return;
            }
            tracker.startFrom(s.confirmedFlush().asLong());
            confirmedLsn = s.confirmedFlush().asLong();
            return;
        }
        GenericRecord last = ProgressWriter.readLast(client, config.progressTopic());
        if (last == null) {
            Lsn start = SlotManager.create(control, slot);
            tracker.startFrom(start.asLong());
            log.info("created replication slot slot={} plugin=pgoutput consistent_point={}", slot, start);
            return;
        }
        Lsn lastConfirmed = Lsn.of((Long) last.get("confirmed_lsn"));
        String what = "replication slot " + slot + " is missing but " + config.progressTopic()
                + " has history (last confirmed " + lastConfirmed + "): changes since then may be lost";
        if (!config.recreateSlot()) {
            throw new PgkbException.FatalException(what + "; restart with --recreate-slot to record a GAP in the backup and continue");
        }
        log.error("{}; --recreate-slot: creating it and recording a GAP", what);
        recreate(lastConfirmed);
    }

    private void recreate(Lsn coveredUpTo) throws SQLException {
        Lsn start = SlotManager.create(control, config.slot());
        progress.gap(coveredUpTo.asLong(), start.asLong());
        tracker.startFrom(start.asLong());
        log.warn("GAP recorded slot={} from_lsn={} to_lsn={}: restores across it are refused", config.slot(), coveredUpTo, start);
    }

    private PgkbException slotActive(Integer pid) {
        return new PgkbException.FatalException("replication slot " + config.slot() + " is active"
                + (pid == null ? "" : " (used by PostgreSQL backend pid " + pid + ")")
                + ": another producer is reading it; one producer per slot");
    }

    private void loop() {
        long backoffMs = 500;
        try {
            while (!stopping) {
                try {
                    stream();
                    backoffMs = 500;
                } catch (PgkbException.ConfigException | PgkbException.FatalException e) {
                    throw e;
                } catch (PgkbException.RetriableException | SQLException | KafkaException e) {
                    if (stopping) {
                        break;
                    }
                    log.warn("stream interrupted, restarting from the slot's confirmed position in {}ms: {}", backoffMs,
                            PgConnectionsFirstLine.of(String.valueOf(e.getMessage())));
                    sleep(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
                }
            }
        } catch (PgkbException e) {
            failure = e;
            log.error("producer stopped: {}", e.getMessage());
        } catch (PgOutputDecoder.MalformedMessageException e) {
            failure = new PgkbException.FatalException("undecodable pgoutput message on slot " + config.slot() + ": " + e.getMessage(), e);
            log.error("producer stopped: {}", failure.getMessage());
        } catch (RuntimeException | Error e) {
            failure = new PgkbException.FatalException("producer failed: " + e, e);
            log.error("producer failed", e);
        } finally {
            closeResources();
            finished.countDown();
        }
    }

    /** One replication session: from the slot's confirmed position until stop or an error. */
    private void stream() throws SQLException {
        checkSlotStillUsable();
        tracker.resetInFlight();
        if (pendingConfirm != null) {
            tracker.putBack(pendingConfirm.confirmable()); // its progress record may be lost: report it again
            pendingConfirm = null;
        }
        Connection repl = connections.replication();
        PGReplicationStream stream = null;
        try {
            try {
                stream = repl.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                        .withSlotName(config.slot())
                        .withSlotOption("proto_version", "1")
                        .withSlotOption("publication_names", TableId.quoteIdent(config.publication()))
                        .withSlotOption("messages", "true")
                        .withStatusInterval(1, TimeUnit.SECONDS)
                        .withAutomaticFlush(false) // pgjdbc would otherwise confirm keepalive positions by itself
                        .start();
            } catch (SQLException e) {
                if ("55006".equals(e.getSQLState()) && streamedBefore) {
                    // our own previous walsender may linger until wal_sender_timeout after a network failure
                    throw new PgkbException.RetriableException("slot " + config.slot() + " still active after a reconnect", e);
                }
                throw startFailure(e);
            }
            streamedBefore = true;
            log.info("streaming slot={} from={}", config.slot(), Lsn.of(tracker.confirmedEnd()));
            KafkaChangeWriter writer = new KafkaChangeWriter(kafka, tracker,
                    new AvroRecordEncoder(catalog::typeName, registrar), topics, config.topicPrefix(), config.maxMessageBytes());
            TransactionAssembler assembler = new TransactionAssembler(writer, catalog, ddlCapture ? config.publication() : null);
            long confirmEvery = config.confirmInterval().toNanos();
            long nextConfirm = System.nanoTime() + confirmEvery;
            while (!stopping) {
                ByteBuffer buf = stream.readPending();
                if (buf != null) {
                    long lsn = stream.getLastReceiveLSN().asLong();
                    assembler.accept(lsn, PgOutputDecoder.decode(buf));
                } else {
                    // nothing buffered, and pgjdbc already polled the socket for 1 ms: wait a few ms so that the next
                    // wake-up finds several messages (fewer wake-ups and socket polls per transaction under a steady
                    // trickle of small transactions; the socket buffers the stream meanwhile)
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
                long now = System.nanoTime();
                if (now - nextConfirm >= 0) {
                    nextConfirm = now + confirmEvery;
                    Exception sendFailure = tracker.failure();
                    if (sendFailure != null) {
                        if (sendFailure instanceof PgkbException pe) {
                            throw pe;
                        }
                        throw new PgkbException.RetriableException("Kafka did not acknowledge a record: " + sendFailure, sendFailure);
                    }
                    confirm(stream, false);
                    maybeHeartbeat(now, assembler, stream.getLastReceiveLSN().asLong());
                    maybeRefresh(now);
                } else if (pendingConfirm != null && pendingConfirm.written()) {
                    // the progress record is acknowledged: confirm the slot now rather than at the next tick
                    confirm(stream, false);
                }
            }
            log.info("stopping: flushing Kafka and confirming");
            kafka.flush();
            Exception sendFailure = tracker.failure();
            if (sendFailure == null) {
                confirm(stream, true);
                confirm(stream, true);
            } else {
                log.warn("not confirming on stop: a record was not acknowledged ({})", sendFailure.toString());
            }
        } finally {
            if (stream != null) {
                try {
                    stream.close();
                } catch (SQLException ignored) {
                    // the connection is going away anyway
                }
            }
            PgConnections.closeQuietly(repl);
        }
    }

    /** A progress write in flight and the confirmation it carries. */
    private record PendingConfirm(AckTracker.Confirmable confirmable, List<Future<RecordMetadata>> writes) {
        /** Kafka answered every write (acknowledged or failed); {@link #confirm} tells which. */
        boolean written() {
            for (Future<RecordMetadata> f : writes) {
                if (!f.isDone()) {
                    return false;
                }
            }
            return true;
        }
    }

    private PendingConfirm pendingConfirm;

    /**
     * Progress first, then the slot: the CONFIRM (and MARK) records are sent without blocking the stream, and the
     * slot is confirmed once Kafka acknowledged them, so a confirmed LSN never lacks its progress record.
     */
    private void confirm(PGReplicationStream stream, boolean wait) throws SQLException {
        if (pendingConfirm == null) {
            AckTracker.Confirmable c = tracker.takeConfirmable();
            if (c == null) {
                return;
            }
            List<Future<RecordMetadata>> writes = new ArrayList<>();
            for (AckTracker.Mark m : c.marks()) {
                writes.add(progress.mark(m, c.confirmedLsn()));
            }
            writes.add(progress.confirm(c));
            pendingConfirm = new PendingConfirm(c, writes);
        }
        PendingConfirm p = pendingConfirm;
        try {
            for (Future<RecordMetadata> f : p.writes()) {
                if (wait) {
                    f.get(30, TimeUnit.SECONDS);
                } else if (!f.isDone()) {
                    return;
                } else {
                    f.get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            pendingConfirm = null;
            tracker.putBack(p.confirmable());
            log.warn("progress record not written, confirming later: {}", e.getCause() == null ? e.toString() : e.getCause().toString());
            return;
        }
        pendingConfirm = null;
        AckTracker.Confirmable c = p.confirmable();
        for (AckTracker.Mark m : c.marks()) {
            log.info("mark recorded name={} mark_lsn={}", m.name(), Lsn.of(m.commitLsn()));
        }
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(c.confirmedLsn());
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        stream.forceUpdateStatus();
        confirmedLsn = c.confirmedLsn();
        ProducerMetrics.CONFIRMED_LSN.set((double) c.confirmedLsn());
        log.debug("confirmed lsn={} last_commit_lsn={}", lsn, Lsn.of(c.lastCommitLsn()));
    }

    private long nextHeartbeatNanos;

    /**
     * The server's WAL moved past what we confirmed while nothing is in flight (idle database, or writes only to
     * unpublished tables): emit a non-transactional heartbeat message. When it comes back through the stream, every
     * transaction committed before it has been received, so its LSN can be confirmed once they are acknowledged.
     */
    private void maybeHeartbeat(long now, TransactionAssembler assembler, long serverWalEnd) {
        if (now - nextHeartbeatNanos < 0 || assembler.inTransaction() || !tracker.idle()
                || Long.compareUnsigned(serverWalEnd, tracker.confirmedEnd()) <= 0) {
            return;
        }
        nextHeartbeatNanos = now + HEARTBEAT_INTERVAL.toNanos();
        try {
            if (control == null || control.isClosed()) {
                control = connections.normal();
            }
            try (var st = control.createStatement()) {
                st.execute("SELECT pg_logical_emit_message(false, '" + TransactionAssembler.HEARTBEAT_PREFIX + "', '')");
            }
        } catch (SQLException | PgkbException.RetriableException e) {
            PgConnections.closeQuietly(control);
            control = null;
            log.warn("heartbeat failed (retried later): {}", PgConnectionsFirstLine.of(String.valueOf(e.getMessage())));
        }
    }

    private void maybeRefresh(long now) {
        if (now - nextRefreshNanos < 0) {
            return;
        }
        nextRefreshNanos = now + config.refreshInterval().toNanos();
        try {
            if (control == null || control.isClosed()) {
                control = connections.normal();
            }
            publications.sync(control, t -> topics.ensureTableTopic(t.topic(config.topicPrefix())));
            long lag = SlotManager.lagBytes(control, config.slot());
            if (lag >= 0) {
                ProducerMetrics.SLOT_LAG_BYTES.set(lag);
            }
        } catch (SQLException | PgkbException.RetriableException e) {
            PgConnections.closeQuietly(control);
            control = null;
            log.warn("publication refresh failed (retried later): {}", PgConnectionsFirstLine.of(String.valueOf(e.getMessage())));
        }
    }

    private void checkSlotStillUsable() throws SQLException {
        Connection c = null;
        try {
            c = connections.normal();
            Optional<SlotManager.SlotInfo> s = SlotManager.find(c, config.slot());
            if (s.isEmpty()) {
                throw new PgkbException.FatalException("replication slot " + config.slot()
                        + " disappeared while the producer was running: changes since " + Lsn.of(tracker.confirmedEnd())
                        + " may be lost; restart with --recreate-slot to record a GAP in the backup and continue");
            }
            if (s.get().invalidated()) {
                throw new PgkbException.FatalException("replication slot " + config.slot() + " was invalidated (wal_status="
                        + s.get().walStatus() + ", invalidation_reason=" + s.get().invalidationReason()
                        + "): changes after " + s.get().confirmedFlush() + " are lost from the stream; "
                        + "restart with --recreate-slot to record a GAP in the backup and continue");
            }
        } finally {
            PgConnections.closeQuietly(c);
        }
    }

    private PgkbException startFailure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("55006")) {
            return slotActive(null);
        }
        if (state.equals("42704")) {
            return new PgkbException.FatalException("replication slot " + config.slot() + " does not exist: "
                    + PgConnectionsFirstLine.of(e.getMessage()) + "; restart with --recreate-slot to record a GAP and continue");
        }
        if (state.equals("55000")) {
            return new PgkbException.FatalException("replication slot " + config.slot() + " cannot be read: "
                    + PgConnectionsFirstLine.of(e.getMessage()) + "; restart with --recreate-slot to record a GAP and continue");
        }
        return connections.translate(e, " (replication connection)");
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(config.kafkaProperties());
        p.put("bootstrap.servers", config.bootstrapServers());
        return p;
    }

    private Properties producerProperties(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        if (Integer.parseInt(p.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION).toString()) > 5) {
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        }
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // 20 ms instead of Kafka's 5: a quarter of the produce requests under a steady trickle of small transactions,
        // which halved the broker's and the network thread's CPU under pgbench; confirms come every 200 ms anyway
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        long request = Math.min(Integer.MAX_VALUE - 1, config.maxMessageBytes() + (1L << 20));
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(request));
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(32L << 20, request + (8L << 20))));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "pgkb-producer-" + config.slot());
        return p;
    }

    private void sleep(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (!stopping && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), 100_000_000L));
        }
    }

    private void closeResources() {
        catalog.close();
        PgConnections.closeQuietly(control);
        control = null;
        if (kafka != null) {
            kafka.close(Duration.ofSeconds(30));
        }
        if (registrar != null) {
            registrar.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(10));
        }
    }

    /** First line of a message (PostgreSQL and Kafka errors can span lines). */
    private static final class PgConnectionsFirstLine {
        static String of(String s) {
            int nl = s.indexOf('\n');
            return nl >= 0 ? s.substring(0, nl) : s;
        }
    }
}
