package io.pgkb.testkit.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running pgkb command (produce, archive) in its own JVM, as a service manager runs it: killed with SIGKILL on
 * purpose by the campaign and started again at once; when it exits by itself it is counted (the goal is that no
 * component exits on a transient outage), its last line kept, and it is started again like {@code Restart=always}.
 */
final class Supervised {
    private static final Logger log = LoggerFactory.getLogger(Supervised.class);

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path logFile;
    private final List<String> exits = new ArrayList<>();
    private volatile Process process;
    private long startedNanos;

    Supervised(String name, List<String> command, Map<String, String> env, Path logFile) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.logFile = logFile;
    }

    synchronized void start() {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        startedNanos = System.nanoTime();
    }

    /** SIGKILL, then a new process at once (the kill is the fault, not an outage of the component). */
    synchronized long kill9AndRestart() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
        start();
        return startedNanos;
    }

    /** Called by the campaign's watcher: a process that ended by itself is counted and started again. */
    synchronized void restartIfExited() {
        if (process != null && !process.isAlive()) {
            String last = lastLine();
            exits.add("exit " + process.exitValue() + ": " + last);
            log.warn("{} exited by itself with {} ({}), starting it again", name, process.exitValue(), last);
            start();
        }
    }

    /** SIGTERM and the exit code (0 is a clean stop). */
    synchronized int stop() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /** SIGTERM without waiting; {@link #stop()} then waits for the exit. */
    void terminate() {
        Process p = process;
        if (p != null) {
            p.toHandle().destroy();
        }
    }

    /** SIGKILL without a restart (the campaign is ending abnormally). */
    void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    synchronized List<String> exits() {
        return List.copyOf(exits);
    }

    String name() {
        return name;
    }

    /** Occurrences of {@code text} in this component's log (all its processes). */
    long linesContaining(String text) {
        try (var lines = Files.lines(logFile)) {
            return lines.filter(l -> l.contains(text)).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private String lastLine() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
        return "(no output)";
    }
}
