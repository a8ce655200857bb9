package io.pgkb.producer;

import io.pgkb.producer.internal.AckTracker;
import io.pgkb.producer.internal.AvroRecordEncoder;
import io.pgkb.producer.internal.CatalogLookup;
import io.pgkb.producer.internal.DdlCapture;
import io.pgkb.producer.internal.KafkaChangeWriter;
import io.pgkb.producer.internal.KafkaStart;
import io.pgkb.producer.internal.OutageLog;
import io.pgkb.producer.internal.PgConnections;
import io.pgkb.producer.internal.PgOutputDecoder;
import io.pgkb.producer.internal.PgStartWait;
import io.pgkb.producer.internal.PrefixEncoding;
import io.pgkb.producer.internal.ProducerClientSettings;
import io.pgkb.producer.internal.ProducerMetrics;
import io.pgkb.producer.internal.ProgressWriter;
import io.pgkb.producer.internal.PublicationManager;
import io.pgkb.producer.internal.RegistryFraming;
import io.pgkb.producer.internal.SchemaFraming;
import io.pgkb.producer.internal.ServerChecks;
import io.pgkb.producer.internal.SlotConfirmer;
import io.pgkb.producer.internal.SlotManager;
import io.pgkb.producer.internal.SlotStart;
import io.pgkb.producer.internal.StartupPhases;
import io.pgkb.producer.internal.TopicManager;
import io.pgkb.producer.internal.TransactionAssembler;
import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SchemaTopicKeys;
import io.pgkb.schemas.TableId;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.postgresql.PGConnection;
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
    /**
     * Retries of a lost session stop doubling here: a retry is one connection attempt, and a longer pause is time the
     * producer sleeps after the broker or PostgreSQL is back (30 s made the slot confirm up to ~50 s after a broker
     * restart; issue 16 wants 15 s).
     */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(4);
    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    private static final long IDLE_PARK_NANOS = 5_000_000L;

    private final ProducerSettings config;
    private final PgConnections connections;
    private final AckTracker tracker = new AckTracker();
    private final CatalogLookup catalog;
    private final PublicationManager publications;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final OutageLog outages = new OutageLog(MAX_BACKOFF.toMillis());
    private volatile boolean stopping;
    private volatile PgkbException failure;
    private volatile SlotConfirmer confirmer;
    private Thread thread;

    private Admin admin;
    private KafkaProducer<byte[], byte[]> kafka;
    private SchemaRegistrar registrar;
    /** Single-object or registry mode (DESIGN §14); its id cache outlives reconnects. */
    private SchemaFraming framing;
    private TopicManager topics;
    private ProgressWriter progress;
    private Connection control;
    private long nextRefreshNanos;
    private boolean streamedBefore;
    private boolean ddlCapture;

    public Producer(ProducerSettings config) {
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
            // the Kafka clients wrap a bad setting ("Failed to create new KafkaAdminClient"); an address that cannot
            // be one is the operator's to fix (exit 2), a host name that does not resolve (yet) is not
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof ConfigException c && !String.valueOf(c.getMessage()).contains("No resolvable bootstrap urls")) {
                    throw new PgkbException.ConfigException("Kafka client configuration (--bootstrap-servers, --kafka-config): "
                            + Messages.firstLine(c), e);
                }
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
        SlotConfirmer c = confirmer;
        return Lsn.of(c == null ? 0 : c.confirmedLsn());
    }

    public PgkbException failure() {
        return failure;
    }

    private void setUp() {
        StartupPhases phases = new StartupPhases();
        String where = config.pg().describe();
        Properties client = clientProperties();
        Map<String, Object> clientMap = new HashMap<>();
        client.forEach((k, v) -> clientMap.put((String) k, v));
        // Kafka's side (read-only) and PostgreSQL's side of the start run side by side until the slot (issue 16)
        AtomicBoolean abandoned = new AtomicBoolean();
        CompletableFuture<KafkaStart> kafkaSide = KafkaStart.begin(client, clientMap, config.bootstrapServers(), config.topicPrefix(),
                ProducerClientSettings.of(client, config.maxMessageBytes(), config.slot()), phases, () -> stopping || abandoned.get());
        try {
            long t0 = phases.now();
            control = PgStartWait.connect(connections, c -> ServerChecks.check(c, where),
                    () -> stopping || kafkaSide.isCompletedExceptionally());
            ddlCapture = DdlCapture.prepare(control, config.ddlCapture(), where);
            publications.checkCanSync(control, where);
            phases.done("postgres", t0);
        } catch (SQLException | RuntimeException e) {
            abandoned.set(true);
            if (kafkaSide.isCompletedExceptionally() && e instanceof PgkbException.RetriableException && !stopping) {
                KafkaStart.join(kafkaSide); // the wait for PostgreSQL ended because Kafka's side failed: that is the error
            }
            kafkaSide.thenAccept(KafkaStart::close); // not waited for: PostgreSQL's refusal is said at once
            throw e instanceof SQLException sql ? connections.translate(sql, "") : (RuntimeException) e;
        }
        KafkaStart k = KafkaStart.join(kafkaSide);
        admin = k.admin();
        kafka = k.producer();
        registrar = k.registrar();
        long t1 = phases.now();
        try (KafkaSchemaResolver schemas = k.schemas()) {
            topics = new TopicManager(admin, config.partitions(), config.maxMessageBytes());
            topics.ensureProgressTopic(config.progressTopic());
            PrefixEncoding.check(schemas, config.topicPrefix(), config.schemaRegistry() == null
                    ? SchemaTopicKeys.SINGLE_OBJECT : SchemaTopicKeys.CONFLUENT, registrar);
            // what earlier runs registered is read back here anyway: not sent again, at start or before a table's
            // first change (DESIGN §3: every writer schema in _schemas before the first record using it)
            registrar.alreadyStored(schemas.stored());
        }
        registrar.ensureTopic(); // refuses a _schemas topic without compaction even when nothing new is registered
        registrar.ensureRegistered(ProgressWriter.SCHEMA);
        framing = config.schemaRegistry() == null ? SchemaFraming.singleObject(registrar)
                : RegistryFraming.start(config.schemaRegistry(), clientMap, config.topicPrefix(), registrar, () -> stopping);
        phases.done("schemas", t1);
        try {
            long t2 = phases.now();
            progress = new ProgressWriter(kafka, config.progressTopic(), config.slot(), ddlCapture);
            confirmer = new SlotConfirmer(tracker, progress);
            SlotStart slotStart = new SlotStart(control, config.slot(), config.progressTopic(), config.recreateSlot());
            boolean slotCreated = slotStart.prepare(client, tracker, confirmer, progress);
            phases.done("slot", t2);
            long t3 = phases.now();
            List<String> offered = new ArrayList<>();
            try {
                publications.sync(control, tables -> {
                    List<String> names = topicNames(tables);
                    offered.addAll(names);
                    topics.ensureTableTopics(names);
                });
            } catch (SQLException | RuntimeException e) {
                // a new slot pins WAL until someone drops it; while no table topic appeared, no archiver dumped
                // anything that relies on it, so the next run may create it again
                if (slotCreated && !topics.anyMayExist(offered)) {
                    slotStart.dropNewSlot();
                }
                throw e;
            }
            phases.done("publication", t3);
        } catch (SQLException e) {
            throw connections.translate(e, "");
        }
        nextRefreshNanos = System.nanoTime() + config.refreshInterval().toNanos();
        log.info("producer ready pg={} bootstrapServers={} slot={} publication={} prefix={} started_in={}", where,
                config.bootstrapServers(), config.slot(), config.publication(), config.topicPrefix(), phases);
    }

    /** Topics of published tables: also those an earlier run published but failed to create, or an operator added. */
    private void ensureTopics(List<TableId> tables) {
        topics.ensureTableTopics(topicNames(tables));
    }

    private List<String> topicNames(List<TableId> tables) {
        return tables.stream().map(t -> t.topic(config.topicPrefix())).toList();
    }

    private void loop() {
        long backoffMs = 500;
        try {
            while (!stopping) {
                long confirmedBefore = confirmer.confirmedLsn();
                try {
                    stream();
                    backoffMs = 500;
                } catch (PgkbException.ConfigException | PgkbException.FatalException e) {
                    throw e;
                } catch (PgkbException.RetriableException | SQLException | KafkaException e) {
                    if (stopping) {
                        break;
                    }
                    if (confirmer.confirmedLsn() != confirmedBefore) {
                        backoffMs = 500; // the session was healthy: this is a new interruption, not the same one going on
                    }
                    outages.interrupted(e, backoffMs, confirmer.confirmedLsn());
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
        if (streamedBefore) {
            checkSlotStillUsable(); // at start SlotStart just checked it: one connection less before streaming
        }
        tracker.resetInFlight();
        confirmer.reconnected();
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
                    new AvroRecordEncoder(catalog::typeName, framing, config.topicPrefix()), topics, config.topicPrefix(), config.maxMessageBytes());
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
                    // the periodic confirm: what Kafka acknowledged since the last tick gets its progress record sent
                    confirmer.confirm(stream, false);
                    outages.confirmed(confirmer.confirmedLsn());
                    maybeHeartbeat(now, assembler, stream.getLastReceiveLSN().asLong());
                    maybeRefresh(now);
                } else if (confirmer.progressWritten()) {
                    // the progress record is acknowledged: confirm the slot now rather than at the next tick
                    confirmer.confirm(stream, false);
                }
            }
            log.info("stopping: flushing Kafka and confirming");
            kafka.flush();
            Exception sendFailure = tracker.failure();
            if (sendFailure == null) {
                // the first call finishes a confirmation already in flight (or starts one); the second confirms what
                // the final flush acknowledged after it, so a graceful stop leaves nothing acknowledged unconfirmed
                confirmer.confirm(stream, true);
                confirmer.confirm(stream, true);
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
            log.warn("heartbeat failed (retried later): {}", Messages.firstLine(e));
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
            publications.sync(control, this::ensureTopics);
            long lag = SlotManager.lagBytes(control, config.slot());
            if (lag >= 0) {
                ProducerMetrics.SLOT_LAG_BYTES.set(lag);
            }
        } catch (SQLException | PgkbException.RetriableException e) {
            PgConnections.closeQuietly(control);
            control = null;
            log.warn("publication refresh failed (retried later): {}", Messages.firstLine(e));
        }
    }

    private void checkSlotStillUsable() throws SQLException {
        Connection c = null;
        try {
            c = connections.normal();
            SlotManager.checkStillUsable(c, config.slot(), Lsn.of(tracker.confirmedEnd()));
        } finally {
            PgConnections.closeQuietly(c);
        }
    }

    private PgkbException startFailure(SQLException e) {
        PgkbException slotProblem = SlotManager.startFailure(e, config.slot());
        return slotProblem != null ? slotProblem : connections.translate(e, " (replication connection)");
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(config.kafkaProperties());
        p.put("bootstrap.servers", config.bootstrapServers());
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
}
