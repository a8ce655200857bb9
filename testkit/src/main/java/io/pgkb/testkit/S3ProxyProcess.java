package io.pgkb.testkit;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link LocalS3} in a child JVM, for test class paths that cannot hold s3proxy: its Jetty 11 and Kafka Connect's
 * Jetty 12 share artifact names, and one class path gets one version (the cli module's ConverterIT runs a Connect
 * worker). The child's class path is the test kit's own, written by its build into {@code target/s3proxy.classpath}.
 * Same credentials and region as {@link LocalS3}.
 */
public final class S3ProxyProcess implements AutoCloseable {
    private final Process process;
    private final URI endpoint;

    private S3ProxyProcess(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts the child with the given buckets created, and waits for its endpoint (at most 60 s). */
    public static S3ProxyProcess start(String... buckets) {
        Path dir;
        try {
            dir = Files.createTempDirectory("pgkb-s3-");
            Path classes = Path.of(S3ProxyProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path classPathFile = classes.getParent().resolve("s3proxy.classpath");
            String classPath = classes + File.pathSeparator + Files.readString(classPathFile, StandardCharsets.UTF_8).strip();
            List<String> cmd = new ArrayList<>(ChildJvm.javaCommand(ChildJvm.options("256m"),
                    ChildJvm.writeLogConfig(dir), classPath));
            // by name: loading S3ChildMain here could pull LocalS3 and s3proxy into this JVM
            cmd.add("io.pgkb.testkit.internal.S3ChildMain");
            cmd.addAll(List.of(buckets));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("s3.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            return new S3ProxyProcess(p, awaitEndpoint(p, dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Proxy in a child JVM (is testkit/target/s3proxy.classpath built?)", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static URI awaitEndpoint(Process p, Path dir) {
        // the endpoint line, then whatever else the child prints, drained so it never blocks on a full pipe
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    if (l.startsWith("endpoint=")) {
                        endpoint.complete(l.substring("endpoint=".length()));
                    }
                }
            } catch (IOException ignored) {
                // the child is gone: the wait below fails
            }
            endpoint.complete(null);
        }, "s3proxy-child-out");
        reader.setDaemon(true);
        reader.start();
        String uri;
        try {
            uri = endpoint.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            uri = null;
        } catch (ExecutionException | TimeoutException e) {
            uri = null;
        }
        if (uri == null) {
            p.destroyForcibly();
            throw new IllegalStateException("S3Proxy child JVM did not start within 60 s; see " + dir.resolve("s3.log"));
        }
        return URI.create(uri);
    }

    /** {@code http://127.0.0.1:port}; use path-style access. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return LocalS3.ACCESS_KEY;
    }

    public String secretKey() {
        return LocalS3.SECRET_KEY;
    }

    public String region() {
        return LocalS3.REGION;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
