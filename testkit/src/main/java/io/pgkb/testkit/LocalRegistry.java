package io.pgkb.testkit;

import io.pgkb.testkit.internal.Files2;
import io.pgkb.testkit.internal.Java21;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry speaking the Confluent REST API: Apicurio Registry 3.3.3 (Apache-2.0, Maven Central's
 * {@code io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all}) with in-memory storage, in a child process on a
 * loopback port. It needs Java 21+, which {@link Java21} finds. The archive is unpacked once per machine into
 * {@code ~/.cache/pgkb-testkit/}. Like the Kafka broker's child JVM, the registry ends when this JVM does, even
 * after a SIGKILL (a shell watches the stdin pipe from this JVM). {@link #startWithTls} also serves HTTPS with a
 * given certificate, beside plain HTTP. {@link #connectConverterJars()} hands out the registry's own Kafka Connect
 * converter for a worker's {@code plugin.path}.
 */
public final class LocalRegistry implements AutoCloseable {
    public static final String VERSION = "3.3.3";
    private static final Logger log = LoggerFactory.getLogger(LocalRegistry.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(300);

    private final Path directory;
    private final int port;
    private final int tlsPort;
    private final Process process;
    private final Thread shutdownHook;
    private final Duration startTime;

    private LocalRegistry(Path directory, int port, int tlsPort, Process process, Thread shutdownHook, Duration startTime) {
        this.directory = directory;
        this.port = port;
        this.tlsPort = tlsPort;
        this.process = process;
        this.shutdownHook = shutdownHook;
        this.startTime = startTime;
    }

    /** Starts a registry on a free loopback port and returns once its Confluent API answers. */
    public static LocalRegistry start() {
        return start(null, null);
    }

    /**
     * As {@link #start()}, and HTTPS on a second port ({@link #httpsUrl()}) with this PEM certificate chain and
     * private key (e.g. {@code TestCertificates}' server certificate for {@code localhost} / {@code 127.0.0.1}).
     */
    public static LocalRegistry startWithTls(Path certificateChain, Path privateKey) {
        return start(certificateChain, privateKey);
    }

    private static LocalRegistry start(Path certificateChain, Path privateKey) {
        long t0 = System.nanoTime();
        try {
            Path home = unpacked();
            Path directory = Files.createTempDirectory("pgkb-registry-");
            int port = Files2.freePort();
            int tlsPort = certificateChain == null ? -1 : Files2.freePort();
            Path logFile = directory.resolve("registry.log");
            String java = Java21.home().resolve("bin").resolve("java").toString();
            List<String> jvm = new ArrayList<>(List.of(java, "-Xmx384m"));
            jvm.addAll(ChildJvm.OPTIONS);
            jvm.addAll(List.of("-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                    // its management interface would take the fixed port 9000 on every address
                    "-Dquarkus.management.enabled=false", "-Dquarkus.log.console.color=false",
                    "-jar", home.resolve("quarkus-run.jar").toString()));
            if (certificateChain != null) {
                jvm.addAll(jvm.size() - 2, List.of("-Dquarkus.http.ssl-port=" + tlsPort,
                        "-Dquarkus.http.ssl.certificate.files=" + certificateChain,
                        "-Dquarkus.http.ssl.certificate.key-files=" + privateKey));
            }
            // the shell kills the registry when our end of its stdin pipe closes (this JVM gone, even by SIGKILL)
            // (a background job's stdin is /dev/null, hence the pipe is handed over as fd 3)
            String script = "exec 3<&0; \"$@\" </dev/null & child=$!; (cat <&3 >/dev/null; kill -9 $child 2>/dev/null) & wait $child";
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", script, "registry"));
            cmd.addAll(jvm);
            Process p = new ProcessBuilder(cmd).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            Thread hook = new Thread(() -> p.descendants().forEach(ProcessHandle::destroyForcibly), "pgkb-registry-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            awaitReady(port, p, logFile);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            log.info("schema registry started url={} startSeconds={}", url(port), took.toMillis() / 1000.0);
            return new LocalRegistry(directory, port, tlsPort, p, hook, took);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the schema registry: " + e.getMessage(), e);
        }
    }

    /** The Confluent-compatible API, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7}: what {@code --schema-registry} takes. */
    public String url() {
        return url(port);
    }

    /** The Confluent API over HTTPS ({@link #startWithTls} only), on {@code 127.0.0.1}: the certificate must name it. */
    public String httpsUrl() {
        if (tlsPort < 0) {
            throw new IllegalStateException("this registry was started without TLS");
        }
        return "https://127.0.0.1:" + tlsPort + "/apis/ccompat/v7";
    }

    /**
     * The jars of Apicurio's Kafka Connect converter ({@code io.apicurio.registry.utils.converter.AvroConverter},
     * Maven Central's {@code io.apicurio:apicurio-registry-utils-converter}, 2.x: see the parent pom; it speaks
     * {@link #nativeUrlV2()}) with what it needs beyond the jars of a
     * Connect worker: the content of a plugin directory on the worker's {@code plugin.path}. Maven lists them in
     * {@code registry-converter.classpath} beside the test kit's classes.
     */
    public static List<Path> connectConverterJars() {
        try {
            Path classes = Path.of(LocalRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path list = classes.resolveSibling("registry-converter.classpath");
            List<Path> jars = new ArrayList<>();
            for (String entry : Files.readString(list, StandardCharsets.UTF_8).strip().split(File.pathSeparator)) {
                jars.add(Path.of(entry));
            }
            return jars;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the converter's class path (is testkit/target/registry-converter.classpath"
                    + " built?): " + e, e);
        }
    }

    /** Apicurio's own API of its 2.x line ({@code /apis/registry/v2}), which its 2.x clients (the Connect converter) use. */
    public String nativeUrlV2() {
        return "http://127.0.0.1:" + port + "/apis/registry/v2";
    }

    /** Apicurio's own API root ({@code /apis/registry/v3}). */
    public String nativeUrl() {
        return "http://127.0.0.1:" + port + "/apis/registry/v3";
    }

    public int port() {
        return port;
    }

    /** From the call of {@link #start()} until the API answered (unpacking on first use included). */
    public Duration startTime() {
        return startTime;
    }

    public Path logFile() {
        return directory.resolve("registry.log");
    }

    /** Sets a subject's compatibility rule (NONE, BACKWARD, FULL, ...) through the Confluent API. */
    public void setCompatibility(String subject, String level) {
        String body = "{\"compatibility\":\"" + level + "\"}";
        send(HttpRequest.newBuilder(URI.create(url() + "/config/" + subject))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** GET on the Confluent API, e.g. {@code get("/subjects")}; the body. */
    public String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).GET().build());
    }

    private static String send(HttpRequest request) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(request.method() + " " + request.uri() + ": " + r.statusCode() + " " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String url(int port) {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    private static void awaitReady(int port, Process p, Path logFile) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url(port) + "/subjects")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the schema registry exited with " + p.exitValue() + "; its log "
                        + logFile + ":\n" + tail(logFile));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the schema registry", e);
            }
            try {
                p.waitFor(200, TimeUnit.MILLISECONDS); // a poll interval that also notices an early exit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the schema registry", e);
            }
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException("the schema registry did not answer within " + READY_TIMEOUT.toSeconds()
                + " s; its log " + logFile + ":\n" + tail(logFile));
    }

    private static String tail(Path logFile) throws IOException {
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The unpacked distribution, unpacking the archive from the local Maven repository on first use. */
    static Path unpacked() throws IOException {
        Path cache = Paths.get(System.getProperty("user.home"), ".cache", "pgkb-testkit");
        Path home = cache.resolve("apicurio-registry-" + VERSION);
        if (Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
            return home;
        }
        Path archive = archive();
        Files.createDirectories(cache);
        Path tmp = Files.createTempDirectory(cache, "unpacking-");
        try {
            Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", tmp.toString())
                    .redirectErrorStream(true).start();
            String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (tar.waitFor() != 0) {
                throw new IOException("tar xzf " + archive + " failed: " + out);
            }
            try {
                Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(home.resolve("quarkus-run.jar"))) { // else another JVM unpacked it meanwhile
                    throw raced;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking " + archive, e);
        } finally {
            if (Files.exists(tmp)) {
                Files2.deleteRecursively(tmp);
            }
        }
        return home;
    }

    /**
     * {@code -Dpgkb.testkit.registryArchive}, else the artifact in the local Maven repository (a module whose ITs use
     * the registry declares it as a test dependency of type {@code tar.gz}, so Maven downloads it).
     */
    private static Path archive() throws IOException {
        String explicit = System.getProperty("pgkb.testkit.registryArchive");
        Path repo = Paths.get(System.getProperty("maven.repo.local",
                Paths.get(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path file = explicit != null ? Paths.get(explicit)
                : repo.resolve(Paths.get("io", "apicurio", "apicurio-registry-app", VERSION,
                        "apicurio-registry-app-" + VERSION + "-all.tar.gz"));
        if (!Files.isRegularFile(file)) {
            throw new IOException("the schema registry's distribution is not at " + file + " (Maven downloads it as the"
                    + " test dependency io.apicurio:apicurio-registry-app:" + VERSION + ":tar.gz:all)");
        }
        return file;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        Files2.deleteRecursively(directory);
    }
}
