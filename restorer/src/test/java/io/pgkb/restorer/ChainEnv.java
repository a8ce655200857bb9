package io.pgkb.restorer;

import static org.awaitility.Awaitility.await;

import io.pgkb.archiver.Archiver;
import io.pgkb.archiver.ArchiverConfig;
import io.pgkb.archiver.dump.DumpListener;
import io.pgkb.archiver.dump.DumpPolicy;
import io.pgkb.archiver.dump.DumpResult;
import io.pgkb.archiver.dump.DumpScheduler;
import io.pgkb.archiver.dump.DumpTaker;
import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * The whole chain for restorer ITs, on real services shared by the test JVM: PostgreSQL (source database and a
 * separate target database per test), Kafka, the producer, an archiver writing small segments to a directory
 * store, and dumps on demand. Commands run in-process with the CLI's exception → exit code rule.
 */
final class ChainEnv implements AutoCloseable {
    static LocalPostgres pg() {
        return LocalPostgres.shared();
    }

    static LocalKafka kafka() {
        return LocalKafka.shared();
    }

    final String db;
    final String targetDb;
    final String prefix;
    final String slot;
    final Path storeDir;
    final ObjectStore store;
    /** How commands name the store: --store and whatever else it needs (S3 endpoint, key file). */
    final List<String> storeArgs;
    private Producer producer;
    private DumpScheduler scheduler;
    private Archiver archiver;
    private Thread archiverThread;
    private Path spool;
    String lastOutput = "";
    String lastError = "";

    ChainEnv() throws Exception {
        this(null);
    }

    /**
     * @param storeOf null for a clear directory store; else the store the archiver and dumps write to, made from the
     *                directory, with the command-line options that name it
     */
    ChainEnv(Function<Path, Map.Entry<ObjectStore, List<String>>> storeOf) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        db = "src_" + id;
        targetDb = "tgt_" + id;
        prefix = "rs" + id;
        slot = "slot_" + id;
        pg().createDatabase(db);
        pg().createDatabase(targetDb);
        kafka();
        storeDir = Files.createTempDirectory("pgkb-archive-");
        if (storeOf == null) {
            store = new FileSystemStore(storeDir);
            storeArgs = List.of("--store", storeDir.toString());
        } else {
            Map.Entry<ObjectStore, List<String>> s = storeOf.apply(storeDir);
            store = s.getKey();
            storeArgs = s.getValue();
        }
    }

    String sourceUri() {
        return pg().uri(db);
    }

    String targetUri() {
        return pg().uri(targetDb);
    }

    void startProducer(int partitions) {
        startProducer(partitions, ProducerSettings.DdlCaptureMode.OFF);
    }

    void startProducer(int partitions, ProducerSettings.DdlCaptureMode ddlCapture) {
        startProducer(partitions, ddlCapture, null);
    }

    /** @param registry registry mode with this registry (DESIGN §14), null for single-object encoding */
    Producer startProducer(int partitions, ProducerSettings.DdlCaptureMode ddlCapture, io.pgkb.producer.SchemaRegistrySettings registry) {
        producer = new Producer(ProducerSettings.builder(PgUrl.parse(sourceUri()), kafka().bootstrapServers(), prefix)
                .slot(slot).publication("pub_" + slot).partitions(partitions).refreshInterval(Duration.ofMillis(500))
                .ddlCapture(ddlCapture).schemaRegistry(registry).build());
        Producer p = producer;
        try {
            p.start();
        } catch (RuntimeException e) {
            producer = null;
            p.close();
            throw e;
        }
        return p;
    }

    /** Stops the producer and waits for it to end; {@link #startProducer} starts another. */
    void stopProducer() {
        producer.stop();
        producer.close();
        producer = null;
    }

    void startArchiver(long segmentMaxRecords) throws Exception {
        startArchiver(segmentMaxRecords, store);
    }

    /** Starts an archiver writing to {@code into}, after the running one (if any) flushed and stopped. */
    void startArchiver(long segmentMaxRecords, ObjectStore into) throws Exception {
        startArchiver(segmentMaxRecords, into, false);
    }

    /**
     * @param dumpOnRewrite with a dump scheduler as {@code archive --pg} runs it, woken by a DDL that rewrote a table
     *                      (no other dumps by policy: the test takes the first one itself)
     */
    void startArchiver(long segmentMaxRecords, ObjectStore into, boolean dumpOnRewrite) throws Exception {
        if (archiver != null) {
            archiver.stop();
            archiver.awaitFinished(Duration.ofSeconds(30));
        }
        if (spool == null) {
            spool = Files.createTempDirectory("pgkb-spool-");
        }
        ArchiverConfig cfg = ArchiverConfig.builder(kafka().bootstrapServers(), prefix, spool)
                .group("g_" + prefix).segmentLimits(64L << 20, segmentMaxRecords, Duration.ofMillis(500)).build();
        archiver = new Archiver(cfg, into);
        if (dumpOnRewrite && scheduler == null) {
            scheduler = new DumpScheduler(PgUrl.parse(sourceUri()), into, prefix,
                    new DumpPolicy(null, 0, Duration.ofMinutes(10), null)).withPublication("pub_" + slot);
            archiver.onRewrite(scheduler::rewritten);
            scheduler.start();
        }
        archiverThread = new Thread(archiver::run, "it-archiver");
        archiverThread.setDaemon(true);
        archiverThread.start();
    }

    /** Stops the archiver (what it has not written stays only in Kafka); {@link #startArchiver} starts another. */
    void stopArchiver() throws InterruptedException {
        archiver.stop();
        archiver.awaitFinished(Duration.ofSeconds(30));
        archiver = null;
    }

    String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    DumpResult dump(TableId... tables) {
        return new DumpTaker(PgUrl.parse(sourceUri()), store, new ArchiveLayout(prefix)).take(List.of(tables), DumpListener.NONE);
    }

    Connection source() throws SQLException {
        return session(pg().connect(db));
    }

    Connection target() throws SQLException {
        return session(pg().connect(targetDb));
    }

    private static Connection session(Connection c) throws SQLException {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; SET extra_float_digits = 3; SET bytea_output = hex");
        }
        return c;
    }

    static void sql(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** md5 over the table's rows in text form, sorted: equal iff the tables hold the same rows (and columns). */
    static String md5(Connection c, TableId t) throws SQLException {
        return one(c, "SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) || ':' || count(*) FROM (SELECT r::text AS x FROM "
                + t.quoted() + " r) s");
    }

    static Lsn walLsn(Connection c) throws SQLException {
        return Lsn.parse(one(c, "SELECT pg_current_wal_insert_lsn()::text"));
    }

    int restore(String... args) {
        RestoreCommand cmd = new RestoreCommand();
        return run(cmd, out -> cmd.out = out, args);
    }

    int verify(String... args) {
        VerifyCommand cmd = new VerifyCommand();
        return run(cmd, out -> cmd.out = out, args);
    }

    int history(String... args) {
        HistoryCommand cmd = new HistoryCommand();
        return run(cmd, out -> cmd.out = out, args);
    }

    int list(String... args) {
        ListCommand cmd = new ListCommand();
        return run(cmd, out -> cmd.out = out, args);
    }

    /** Restore with the common options of this environment. */
    int restoreTo(String tables, String... point) {
        List<String> all = new ArrayList<>(storeArgs);
        all.addAll(List.of("--topic-prefix", prefix, "--target", targetUri(), "--tables", tables));
        all.addAll(List.of(point));
        return restore(all.toArray(String[]::new));
    }

    /** Waits until a dry run of this restore succeeds: the archiver has caught up with everything it needs. */
    void awaitRestorable(String tables, String... point) {
        String[] args = new String[point.length + 1];
        System.arraycopy(point, 0, args, 0, point.length);
        args[point.length] = "--dry-run";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            writeWalElsewhere();
            return restoreTo(tables, args) == 0;
        });
    }

    /**
     * Writes one WAL record in another database, as other sessions of a real server do. A point after the source's
     * last commit is restorable once the producer's heartbeat confirmed past it, and the producer sends one only after
     * PostgreSQL told it that the WAL end moved, which an idle walsender does when WAL is next written: on an
     * otherwise idle test server that is the checkpointer's or bgwriter's next record, 10-20 s later. Nothing decodes
     * this record: a logical message belongs to the database it is written in.
     */
    static void writeWalElsewhere() throws SQLException {
        try (Connection c = pg().connect("postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_logical_emit_message(false, 'pgkb.test', '', true)");
        }
    }

    /** Any other command (dump, archive, keygen) with the same exit code rule; stdout is not captured. */
    int command(Callable<Integer> cmd, String... args) {
        return run(cmd, out -> { }, args);
    }

    private int run(Callable<Integer> cmd, Consumer<PrintStream> setOut, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        setOut.accept(out);
        String[] err = {""};
        int code = new CommandLine(cmd).setExecutionExceptionHandler((ex, cl, pr) -> {
            err[0] = ex.getMessage();
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof PgkbException p) { // as the CLI's Failure: pgkb's own exception wins wherever it sits
                    err[0] = p.getMessage();
                    return p.exitCode();
                }
            }
            ex.printStackTrace();
            return 1;
        }).execute(args);
        lastOutput = buf.toString(StandardCharsets.UTF_8);
        lastError = err[0] == null ? "" : err[0];
        return code;
    }

    @Override
    public void close() throws Exception {
        if (producer != null) {
            producer.stop();
            producer.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (archiver != null) {
            archiver.stop();
            archiver.awaitFinished(Duration.ofSeconds(30));
        }
        try (Connection c = pg().connect(db); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND NOT active");
        } catch (SQLException ignored) {
            // best effort
        }
        store.close();
        for (Path dir : spool == null ? List.of(storeDir) : List.of(storeDir, spool)) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
