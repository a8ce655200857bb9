package io.pgkb.testkit;

import io.pgkb.testkit.internal.Files2;
import io.pgkb.testkit.internal.KafkaChildMain;
import io.pgkb.testkit.internal.KafkaServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) in a child JVM that
 * uses this JVM's class path.
 *
 * <p>{@link #stop()} kills the broker but keeps its data (a Kafka outage); {@link #startAgain()} brings it
 * back on the same port with the same data. {@link #close()} kills it and, for a temporary broker,
 * deletes the data. The child also dies with this JVM: a shutdown hook kills it, and the child exits by
 * itself when its stdin pipe from this JVM closes (this JVM was killed).
 */
public final class LocalKafka implements KafkaServer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** System property replacing the broker JVM's options, e.g. to drop the C1-only flag in a benchmark. */
    public static final String JVM_OPTIONS_PROPERTY = "pgkb.testkit.kafkaJvmOptions";
    /** C1 only: a test broker needs a fast start on a busy machine more than peak throughput. */
    static final String DEFAULT_JVM_OPTIONS = ChildJvm.options("512m") + " -Xms128m";
    /** Room for 64 MiB records plus batch overhead. */
    static final int MAX_MESSAGE_BYTES = 70 * 1024 * 1024;

    private final Path directory;
    private final boolean deleteOnClose;
    private final boolean freePorts;
    private int port;
    private int controllerPort;
    private boolean everStarted;
    private final Map<String, String> extraConfig;
    /** Non-null: a SASL_SSL listener (SCRAM-SHA-512, this server certificate) besides the PLAINTEXT one. */
    private final TestCertificates tls;
    private int saslSslPort;
    private final Thread shutdownHook;
    private Process process;

    private LocalKafka(Path directory, boolean deleteOnClose, int port, Map<String, String> extraConfig) {
        this(directory, deleteOnClose, port, extraConfig, null);
    }

    private LocalKafka(Path directory, boolean deleteOnClose, int port, Map<String, String> extraConfig, TestCertificates tls) {
        this.directory = directory;
        this.tls = tls;
        this.saslSslPort = tls == null ? 0 : Files2.freePort();
        this.deleteOnClose = deleteOnClose;
        this.freePorts = port == 0;
        this.port = port == 0 ? Files2.freePort() : port;
        this.controllerPort = Files2.freePort();
        this.extraConfig = Map.copyOf(extraConfig);
        this.shutdownHook = new Thread(this::killQuietly, "pgkb-kafka-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private static LocalKafka shared;

    /** One broker for every caller in this JVM, started on first use and closed when the JVM exits (as LocalPostgres.shared). */
    public static synchronized LocalKafka shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** Starts a broker on free ports with its data in a temporary directory. */
    public static LocalKafka start() {
        return start(Map.of());
    }

    /** Like {@link #start()}, with extra broker settings (server.properties keys). */
    public static LocalKafka start(Map<String, String> extraConfig) {
        try {
            LocalKafka kafka = new LocalKafka(Files.createTempDirectory("pgkb-kafka-"), true, 0, extraConfig);
            kafka.startAgain();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Like {@link #start()}, with a second client listener as a secured production cluster has it: SASL_SSL
     * ({@link #saslSslBootstrapServers()}) with SCRAM-SHA-512 and the server certificate of {@code certs}. The
     * PLAINTEXT listener stays for the controller, the test's own admin clients and {@link #addScramUser}.
     */
    public static LocalKafka startWithSaslSsl(TestCertificates certs) {
        try {
            LocalKafka kafka = new LocalKafka(Files.createTempDirectory("pgkb-kafka-"), true, 0, Map.of(), certs);
            kafka.startAgain();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a broker with its data (formatted when new, reused otherwise) in {@code directory}, listening
     * on {@code port} (0 = a free one). The data is kept on {@link #close()}.
     */
    public static LocalKafka start(Path directory, int port) {
        return start(directory, port, Map.of());
    }

    /** Like {@link #start(Path, int)}, with extra broker settings (server.properties keys). */
    public static LocalKafka start(Path directory, int port, Map<String, String> extraConfig) {
        LocalKafka kafka = new LocalKafka(directory.toAbsolutePath(), false, port, extraConfig);
        kafka.startAgain();
        return kafka;
    }

    @Override
    public synchronized String bootstrapServers() {
        return "localhost:" + port;
    }

    /** The SASL_SSL listener of a broker from {@link #startWithSaslSsl}. */
    public synchronized String saslSslBootstrapServers() {
        if (tls == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener; start it with startWithSaslSsl");
        }
        return "localhost:" + saslSslPort;
    }

    /**
     * Creates (or changes) a SCRAM-SHA-512 user through the Admin API, as an operator would, and returns once a
     * client can log in with it on the SASL_SSL listener (the credential reaches the broker through the metadata log).
     */
    public void addScramUser(String user, String password) {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create SCRAM user " + user + ": " + e, e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Properties p = saslSslClientConfig(user, password);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        while (true) {
            try (Admin sasl = Admin.create(p)) {
                sasl.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for SCRAM user " + user, e);
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("SCRAM user " + user + " cannot log in after 60 s; log: " + logFile(), notYet);
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        }
    }

    /**
     * What a client of the SASL_SSL listener puts in its properties file ({@code --kafka-config}): bootstrap
     * servers, SASL_SSL, SCRAM-SHA-512 with these credentials, and the test CA as a PEM trust store.
     */
    public Properties saslSslClientConfig(String user, String password) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, saslSslBootstrapServers());
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", tls.caCertificate().toString());
        return p;
    }

    public synchronized int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    /** The broker's combined stdout/stderr. */
    public Path logFile() {
        return directory.resolve("broker.log");
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientConfig(Duration.ofSeconds(30)));
    }

    public Properties clientConfig(Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return p;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker (again) on the same port and data; waits until it answers. No-op when running. */
    public synchronized void startAgain() {
        if (isRunning()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                launch();
                everStarted = true;
                return;
            } catch (PortTakenException e) {
                // a free port found earlier was taken by another process before the broker bound it
                if (!freePorts || everStarted || attempt == 3) {
                    throw new IllegalStateException("Kafka could not bind port " + port + " or " + controllerPort
                            + "; log: " + logFile(), e);
                }
                log.warn("kafka port taken, retrying with other ports port={} controllerPort={}", port, controllerPort);
                port = Files2.freePort();
                controllerPort = Files2.freePort();
                saslSslPort = tls == null ? 0 : Files2.freePort();
            }
        }
    }

    private void launch() {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(directory);
            Path config = writeConfig();
            Path logConfig = writeLogConfig();
            List<String> cmd = new ArrayList<>(javaCommand(logConfig));
            cmd.add(KafkaChildMain.class.getName());
            cmd.add(config.toString());
            cmd.add(directory.resolve("data").toString());
            cmd.add(Uuid.randomUuid().toString());
            long logOffset = Files.exists(logFile()) ? Files.size(logFile()) : 0;
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            awaitReady(logOffset);
            log.info("kafka started bootstrapServers={} directory={} millis={}", bootstrapServers(), directory,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            killQuietly();
            throw new UncheckedIOException("cannot start Kafka in " + directory + " (log: " + logFile() + ")", e);
        } catch (RuntimeException e) {
            killQuietly();
            throw e;
        }
    }

    private static final class PortTakenException extends RuntimeException {
        PortTakenException(String message) {
            super(message);
        }
    }

    private static List<String> javaCommand(Path logConfig) {
        return ChildJvm.javaCommand(System.getProperty(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS), logConfig,
                System.getProperty("java.class.path"));
    }

    private void awaitReady(long logOffset) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // wait for the listener before creating a client, which would log a warning per refused connection
        while (!portAccepts()) {
            checkAlive(logOffset);
            checkDeadline(deadline);
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        Properties props = clientConfig(Duration.ofSeconds(2));
        try (Admin admin = Admin.create(props)) {
            while (true) {
                checkAlive(logOffset);
                try {
                    int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                            .nodes().get(3, TimeUnit.SECONDS).size();
                    if (nodes > 0) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka", e);
                } catch (Exception notYet) {
                    // not ready yet: the request itself waited, so there is no busy loop
                }
                checkDeadline(deadline);
            }
        }
    }

    private boolean portAccepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkAlive(long logOffset) {
        if (process.isAlive()) {
            return;
        }
        String output = readLogFrom(logOffset);
        if (output.contains("Address already in use")) {
            throw new PortTakenException("port in use");
        }
        throw new IllegalStateException("Kafka broker exited with code " + process.exitValue()
                + " during startup; log: " + logFile());
    }

    private void checkDeadline(long deadline) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Kafka broker not ready after " + READY_TIMEOUT.toSeconds()
                    + "s; log: " + logFile());
        }
    }

    private String readLogFrom(long offset) {
        try (var ch = Files.newByteChannel(logFile())) {
            ch.position(offset);
            var buffer = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(0, ch.size() - offset)));
            ch.read(buffer);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private Path writeConfig() throws IOException {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (tls != null) {
            p.put("listeners", p.get("listeners") + ",SASL_SSL://localhost:" + saslSslPort);
            p.put("advertised.listeners", p.get("advertised.listeners") + ",SASL_SSL://localhost:" + saslSslPort);
            p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL");
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put("listener.name.sasl_ssl.ssl.keystore.type", "PEM");
            p.put("listener.name.sasl_ssl.ssl.keystore.location", tls.serverKeyAndChain().toString());
        }
        p.put("log.dirs", directory.resolve("data").toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        p.put("socket.request.max.bytes", String.valueOf(2 * MAX_MESSAGE_BYTES));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("log.retention.check.interval.ms", "5000");
        // a killed broker's registration blocks its successor until this session expires
        p.put("broker.session.timeout.ms", "4000");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.putAll(extraConfig);
        Path file = directory.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "generated by pgkb testkit");
        }
        return file;
    }

    private Path writeLogConfig() throws IOException {
        return ChildJvm.writeLogConfig(directory);
    }

    /** Kills the broker process (an outage); data and port are kept for {@link #startAgain()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Kafka broker pid=" + process.pid() + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping Kafka", e);
        }
        process = null;
        log.info("kafka stopped bootstrapServers={}", bootstrapServers());
    }

    @Override
    public void stopBroker() {
        stop();
    }

    @Override
    public void startBroker() {
        startAgain();
    }

    @Override
    public boolean isBrokerRunning() {
        return isRunning();
    }

    /** Kills and starts the broker again on the same port and data. */
    public synchronized void restart() {
        stop();
        startAgain();
    }

    private void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            if (deleteOnClose) {
                Files2.deleteRecursively(directory);
            }
        }
    }

    @Override
    public String toString() {
        return "LocalKafka{bootstrapServers=" + bootstrapServers() + ", directory=" + directory + "}";
    }
}
