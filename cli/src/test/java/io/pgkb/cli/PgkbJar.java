package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.testkit.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs the shaded jar as operators do ({@code java -jar pgkb.jar …}), with a clean PG and AWS environment. */
final class PgkbJar {
    static final Path JAR = Path.of(System.getProperty("pgkb.jar", "target/pgkb.jar"));

    private PgkbJar() {
    }

    record Run(int code, String out, List<String> err) {
        /** Lines that are not log events (a log line starts with its ISO timestamp). */
        List<String> messages() {
            return err.stream().filter(l -> !l.matches("^\\d{4}-\\d\\d-\\d\\dT.*")).toList();
        }

        String everything() {
            return String.join("\n", err) + "\n" + out;
        }
    }

    /** A command that keeps running (produce, archive); {@link #stop()} sends SIGTERM as a service manager does. */
    record Running(Process process, CompletableFuture<String> out, CompletableFuture<String> err) {
        Run stop() throws Exception {
            // SIGTERM through the handle: Process.destroy() would also close the pipes the readers still drain
            process.toHandle().destroy();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("pgkb did not stop within 120 s of SIGTERM; stderr: " + err.getNow(""));
            }
            return new Run(process.exitValue(), out.get(), err.get().lines().toList());
        }
    }

    static Running start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = ChildJvm.java();
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        return new Running(p, CompletableFuture.supplyAsync(() -> read(p.getInputStream())),
                CompletableFuture.supplyAsync(() -> read(p.getErrorStream())));
    }

    static Run run(Map<String, String> env, String... args) throws Exception {
        Running r = start(env, args);
        if (!r.process.waitFor(120, TimeUnit.SECONDS)) {
            r.process.destroyForcibly();
            throw new AssertionError("pgkb " + String.join(" ", args) + " did not end within 120 s; stderr so far: " + r.err.getNow(""));
        }
        return new Run(r.process.exitValue(), r.out.get(), r.err.get().lines().toList());
    }

    static Run run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    /** Several runs at once: each is mostly JVM start-up, and the checks they feed are independent. */
    static List<Run> runAll(List<String[]> runs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (String[] args : runs) {
                futures.add(pool.submit(() -> run(args)));
            }
            List<Run> out = new ArrayList<>();
            for (var f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line on stderr, naming what is wrong and the fix; the given exit code; no stack trace; nothing on stdout. */
    static void assertOneLine(Run r, int code, String... mentions) {
        assertOneLine(r, List.of(code), mentions);
    }

    static void assertOneLine(Run r, List<Integer> codes, String... mentions) {
        String all = String.join("\n", r.err.stream().map(l -> "<" + l + ">").toList());
        assertThat(r.code).as(all).isIn(codes);
        assertThat(all).as("no stack trace").doesNotContain("\tat ", "Exception in thread", "Caused by:");
        assertThat(r.messages()).as(all).hasSize(1);
        String line = r.messages().get(0);
        assertThat(line).startsWith("pgkb").contains(mentions);
        assertThat(r.out).isEmpty();
    }
}
