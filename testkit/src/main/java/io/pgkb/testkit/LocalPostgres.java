package io.pgkb.testkit;

import io.pgkb.testkit.internal.Files2;
import io.pgkb.testkit.internal.PostgresServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server from zonky's embedded binaries, configured for logical replication.
 *
 * <p>Clients authenticate with a password (scram-sha-256 for TCP and socket connections) so that
 * tests can check that passwords never leak into logs. The password is random per data directory
 * and kept next to it, so a server restarted on the same data keeps its password.
 *
 * <p>When the JVM runs as root, zonky starts initdb/postgres through {@code unshare -U}, i.e. as an
 * unprivileged user in a fresh user namespace; PostgreSQL's refusal to run as root stays intact.
 */
public final class LocalPostgres implements PostgresServer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    private static final String USER = "postgres";
    private static final String PASSWORD_FILE_SUFFIX = ".password";

    private final Path dataDirectory;
    private final boolean deleteOnClose;
    private final Map<String, String> settings;
    private final String password;
    private int port;
    private EmbeddedPostgres server;

    private LocalPostgres(Path dataDirectory, boolean deleteOnClose, int port, Map<String, String> settings, String password) {
        this.dataDirectory = dataDirectory;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.settings = settings;
        this.password = password;
    }

    private static LocalPostgres shared;

    /**
     * One server for every caller in this JVM, started on first use and closed when the JVM exits: for a module's
     * own test environment (producer TestEnv, restorer ChainEnv) outside the JUnit extension.
     */
    public static synchronized LocalPostgres shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** Starts a server on a fresh temporary data directory and a free port; {@link #close()} deletes the data. */
    public static LocalPostgres start() {
        return start(Map.of());
    }

    /** Like {@link #start()}, with extra server settings (e.g. {@code max_slot_wal_keep_size=1MB}). */
    public static LocalPostgres start(Map<String, String> extraSettings) {
        for (int attempt = 1; ; attempt++) {
            Path dir;
            try {
                dir = Files.createTempDirectory("pgkb-pg-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                return start(dir.resolve("data"), 0, extraSettings, true);
            } catch (RuntimeException e) {
                // the free port zonky found was taken before the server bound it: start over in a fresh
                // directory (zonky keeps the failed one's lock until this JVM exits)
                boolean portTaken = logContains(dir.resolve("data.log"), "Address already in use");
                if (!portTaken || attempt == 3) {
                    throw e;
                }
                log.warn("postgres port taken, retrying on another port attempt={}", attempt);
                Files2.deleteRecursively(dir);
            }
        }
    }

    /**
     * Like {@link #start()}, with TLS required as a hardened production server has it: {@code ssl=on} with the
     * server certificate and key of {@code certs}, and a pg_hba.conf (kept with the certificates) that accepts TCP
     * connections, normal and replication, only as {@code hostssl … scram-sha-256}; a connection without TLS is
     * refused by pg_hba. The testkit's own helpers connect with the driver's default {@code sslmode=prefer}.
     */
    public static LocalPostgres startWithTls(TestCertificates certs) {
        Path hba = certs.directory().resolve("pg_hba.conf");
        try {
            Files.writeString(hba, """
                    # TYPE  DATABASE     USER  ADDRESS        METHOD
                    local   all          all                  scram-sha-256
                    hostssl all          all   127.0.0.1/32   scram-sha-256
                    hostssl all          all   ::1/128        scram-sha-256
                    hostssl replication  all   127.0.0.1/32   scram-sha-256
                    hostssl replication  all   ::1/128        scram-sha-256
                    """, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + hba, e);
        }
        return start(Map.of("ssl", "on",
                "ssl_cert_file", certs.serverCertificateChain().toString(),
                "ssl_key_file", certs.serverKey().toString(),
                "hba_file", hba.toString()));
    }

    private static boolean logContains(Path logFile, String text) {
        try {
            return Files.exists(logFile) && Files.readString(logFile, StandardCharsets.UTF_8).contains(text);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Starts a server on the given data directory (initialised when empty or missing, reused otherwise)
     * and port (0 = a free one). The data is kept on {@link #close()}.
     */
    public static LocalPostgres start(Path dataDirectory, int port, Map<String, String> extraSettings) {
        return start(dataDirectory, port, extraSettings, false);
    }

    private static LocalPostgres start(Path dataDirectory, int port, Map<String, String> extraSettings, boolean deleteOnClose) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("wal_level", "logical");
        settings.put("max_replication_slots", "32");
        settings.put("max_wal_senders", "32");
        settings.put("listen_addresses", "localhost");
        settings.put("password_encryption", "scram-sha-256");
        // zonky turns synchronous_commit off; a real server has it on, and logical decoding only sees
        // flushed WAL, so with it off a change shows up in a slot up to wal_writer_delay late.
        settings.put("synchronous_commit", "on");
        if (deleteOnClose) {
            // a throwaway server: data still survives process restarts (the OS keeps it), not OS crashes
            settings.put("fsync", "off");
        }
        settings.putAll(extraSettings);
        Path abs = dataDirectory.toAbsolutePath();
        String password = loadOrCreatePassword(abs);
        LocalPostgres pg = new LocalPostgres(abs, deleteOnClose, port, settings, password);
        pg.startServer();
        return pg;
    }

    private static String loadOrCreatePassword(Path dataDirectory) {
        Path file = passwordFile(dataDirectory);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(file.getParent());
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            String password = "pw-" + HexFormat.of().formatHex(random);
            Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static Path passwordFile(Path dataDirectory) {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + PASSWORD_FILE_SUFFIX);
    }

    private synchronized void startServer() {
        if (server != null) {
            return;
        }
        long started = System.nanoTime();
        try {
            Files.createDirectories(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setConnectConfig("password", password)
                    // server output to a file next to the data, not into the test log
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
            // zonky runs initdb with "-A trust" followed by these "--key=value" options (meant for
            // locale settings); later options win, so this sets the password and scram authentication.
            builder.setLocaleConfig("pwfile", passwordFile(dataDirectory).toString());
            builder.setLocaleConfig("auth-host", "scram-sha-256");
            builder.setLocaleConfig("auth-local", "scram-sha-256");
            settings.forEach(builder::setServerConfig);
            server = builder.start();
            port = server.getPort();
            log.info("postgres started port={} dataDirectory={} millis={}", port, dataDirectory,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDirectory + " (log: " + logFile() + ")", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start PostgreSQL in " + dataDirectory + " (log: " + logFile() + "): "
                    + e.getMessage(), e);
        }
    }

    /** initdb and server output. */
    public Path logFile() {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String host() {
        return "localhost";
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String password() {
        return password;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** JDBC URL without credentials; pass {@link #user()} and {@link #password()} separately. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /** {@code postgresql://user:password@localhost:port/db}, for command-line arguments. */
    public String uri(String database) {
        return "postgresql://" + USER + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                + "@localhost:" + port + "/" + database;
    }

    public Properties connectionProperties() {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", password);
        return props;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), connectionProperties());
    }

    public void createDatabase(String name) {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + quoteIdent(name));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Creates the database unless one of that name exists. */
    public void createDatabaseIfMissing(String name) {
        try (Connection c = connect("postgres");
             var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (var rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot look up database " + name + ": " + e.getMessage(), e);
        }
        createDatabase(name);
    }

    static String quoteIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the server (fast shutdown), keeping its data and port for {@link #startAgain()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL in " + dataDirectory, e);
        } finally {
            server = null;
        }
        log.info("postgres stopped port={}", port);
    }

    /**
     * Kills the postmaster and all its processes with SIGKILL, as a machine crash would (without losing
     * what the OS already has): committed transactions survive, the next start runs crash recovery, and a
     * replication slot's position is the one last written at a checkpoint, so it may go back. Start again
     * with {@link #startAgain()}.
     */
    public synchronized void crash() {
        if (server == null) {
            return;
        }
        long pid = postmasterPid();
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("postmaster pid=" + pid + " is not running"));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(0, postmaster);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("PostgreSQL process pid=" + p.pid() + " did not die", e);
            }
        }
        try {
            releaseZonkyHandle(server);
        } finally {
            server = null;
        }
        log.info("postgres crashed on purpose port={}", port);
    }

    /**
     * zonky's close() would run "pg_ctl stop" on the dead server and log that failure as an ERROR with a stack
     * trace; after a deliberate crash only its data directory lock must be released (pinned zonky 2.2.2 fields).
     */
    private static void releaseZonkyHandle(EmbeddedPostgres handle) {
        try {
            Class<?> type = EmbeddedPostgres.class;
            java.lang.reflect.Field closed = type.getDeclaredField("closed");
            java.lang.reflect.Field lock = type.getDeclaredField("lock");
            java.lang.reflect.Field lockStream = type.getDeclaredField("lockStream");
            closed.setAccessible(true);
            lock.setAccessible(true);
            lockStream.setAccessible(true);
            ((AtomicBoolean) closed.get(handle)).set(true);
            FileLock fileLock = (FileLock) lock.get(handle);
            if (fileLock != null) {
                fileLock.release();
            }
            Closeable stream = (Closeable) lockStream.get(handle);
            if (stream != null) {
                stream.close();
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            log.debug("releasing zonky's handle directly failed, closing it error={}", e.toString());
            try {
                handle.close();
            } catch (IOException | RuntimeException ignored) {
                // the server is dead; only the lock mattered
            }
        }
    }

    private long postmasterPid() {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            return Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).strip());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + pidFile, e);
        }
    }

    /** Starts a stopped server again on the same data directory and port. */
    public synchronized void startAgain() {
        startServer();
    }

    /** Stops and starts again on the same data and port, to test that clients reconnect. */
    public synchronized void restart() {
        stop();
        startServer();
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            if (deleteOnClose) {
                Files2.deleteRecursively(dataDirectory.getParent());
            }
        }
    }

    @Override
    public String toString() {
        return "LocalPostgres{port=" + port + ", dataDirectory=" + dataDirectory + "}";
    }
}
