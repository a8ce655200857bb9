package io.pgkb.archiver;

import io.pgkb.archiver.internal.ArchiverMain;
import io.pgkb.testkit.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** An archiver (or another main class) in its own JVM on this test's class path. */
final class ArchiverProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ArchiverProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** A --kafka-config file in {@code dir} with which a killed member leaves the group within seconds, not 45 s. */
    static Path quickGroupConfig(Path dir) throws IOException {
        return Files.writeString(dir.resolve("kafka.properties"), "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
    }

    static ArchiverProcess start(Path log, Map<String, String> env, List<String> args) throws IOException {
        return start(ArchiverMain.class.getName(), log, env, args);
    }

    static ArchiverProcess start(String mainClass, Path log, Map<String, String> env, List<String> args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = ChildJvm.java("256m");
        cmd.addAll(List.of("-cp", cp, mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return new ArchiverProcess(pb.start(), log);
    }

    /** SIGKILL: no shutdown hook, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("archiver did not stop within 120s after SIGTERM; log " + log);
        }
        return process.exitValue();
    }

    /** Waits until the archiver logged that it runs (JVM start-up takes seconds on a loaded machine). */
    ArchiverProcess awaitStarted() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("archiver exited with " + process.exitValue() + "; log " + log);
                    }
                    return Files.exists(log) && Files.readString(log).contains("archiver started");
                });
        return this;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process did not exit within " + seconds + "s; log " + log);
        }
        return process.exitValue();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    static String classPathSeparator() {
        return File.pathSeparator;
    }
}
