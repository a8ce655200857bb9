package io.pgkb.cli;

import io.pgkb.testkit.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * A standalone Kafka Connect worker with its connectors, in a child JVM, installed as an operator would: Kafka's
 * jars (connect-runtime, connect-file, ...) on the class path, pgkb only as {@code pgkb.jar} in a directory of
 * {@code plugin.path}. The child's class path is this JVM's without pgkb's own module outputs, so the converter
 * can come from nowhere but {@code pgkb.jar}, loaded in Connect's plugin isolation. Other plugins (a registry's
 * converter with its libraries) get a directory of their own there, as Connect's docs ask. Output in {@code worker.log}.
 */
final class StandaloneWorker implements AutoCloseable {
    private final Path directory;
    private final Process process;

    private StandaloneWorker(Path directory, Process process) {
        this.directory = directory;
        this.process = process;
    }

    /** @param plugins more plugins: directory name under {@code plugin.path} to the jars it holds */
    static StandaloneWorker start(Path directory, Path pgkbJar, Map<String, List<Path>> plugins, Map<String, String> worker,
                                  List<Map<String, String>> connectors) {
        try {
            Files.createDirectories(directory.resolve("plugins"));
            Files.createSymbolicLink(directory.resolve("plugins").resolve("pgkb.jar"), pgkbJar.toAbsolutePath());
            for (Map.Entry<String, List<Path>> plugin : plugins.entrySet()) {
                Path dir = Files.createDirectories(directory.resolve("plugins").resolve(plugin.getKey()));
                for (Path jar : plugin.getValue()) {
                    Files.createSymbolicLink(dir.resolve(jar.getFileName()), jar.toAbsolutePath());
                }
            }
            Properties w = new Properties();
            w.put("plugin.path", directory.resolve("plugins").toString());
            w.put("offset.storage.file.filename", directory.resolve("offsets").toString());
            w.put("offset.flush.interval.ms", "1000");
            w.put("listeners", "http://127.0.0.1:" + freePort());
            // the manifests of connect-file and pgkb.jar's converter, instead of a reflective scan of every class
            w.put("plugin.discovery", "service_load");
            w.putAll(worker);
            Path workerFile = store(w, directory.resolve("worker.properties"));
            List<String> connectorFiles = new ArrayList<>();
            for (Map<String, String> connector : connectors) {
                Properties c = new Properties();
                c.putAll(connector);
                connectorFiles.add(store(c, directory.resolve("connector-" + connectorFiles.size() + ".properties")).toString());
            }
            List<String> cmd = ChildJvm.javaCommand(ChildJvm.options("384m") + " -Duser.timezone=UTC",
                    ChildJvm.writeLogConfig(directory), classPathWithoutPgkb());
            cmd.add(ConnectChildMain.class.getName());
            cmd.add(workerFile.toString());
            cmd.addAll(connectorFiles);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("worker.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            return new StandaloneWorker(directory, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This JVM's class path less the module outputs of this repository, but the test kit's and this module's tests (the child's main). */
    private static String classPathWithoutPgkb() {
        Path root = Paths.get("..").toAbsolutePath().normalize();
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Paths.get(entry).toAbsolutePath().normalize();
            if (!p.startsWith(root) || p.startsWith(root.resolve("testkit")) || p.equals(root.resolve("cli/target/test-classes"))) {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    /**
     * A jar holding only the {@code ServiceLoader} manifest of these converters, for a plugin that ships without one
     * (the worker runs with {@code plugin.discovery=service_load}): what Kafka's {@code connect-plugin-path.sh
     * sync-manifests} would give it, without touching the plugin's own jars.
     */
    static Path converterManifestJar(Path file, String... converterClasses) throws IOException {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(file))) {
            jar.putNextEntry(new JarEntry("META-INF/services/org.apache.kafka.connect.storage.Converter"));
            jar.write((String.join("\n", converterClasses) + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return file;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path logFile() {
        return directory.resolve("worker.log");
    }

    private static Path store(Properties p, Path file) throws IOException {
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "pgkb ConverterIT");
        }
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
