package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options pgkb runs with, as the launcher, the image's entrypoint and the benchmarks choose them
 * (cli/jvm-options.sh): a collector the user chooses replaces only pgkb's collector, never the other options, and the
 * real JVM accepts the files.
 */
class JvmOptionsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theCollectorFileIsLeftOutOnlyWhenTheUserChoosesACollector() throws Exception {
        assertThat(chosen("")).containsExactly("@cli/jvm.options", "@cli/jvm-gc.options");
        assertThat(chosen("-Xmx1g -XX:+UseStringDeduplication")).containsExactly("@cli/jvm.options", "@cli/jvm-gc.options");
        assertThat(chosen("-Xmx1g -XX:+UseG1GC")).containsExactly("@cli/jvm.options");
        assertThat(chosen("-XX:+UseSerialGC")).containsExactly("@cli/jvm.options");
    }

    @Test
    void theJvmAcceptsTheOptionsFilesAloneAndWithAnotherCollector() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(run(List.of(java, "@cli/jvm.options", "@cli/jvm-gc.options", "-version"), Map.of()).exit).isZero();
        assertThat(run(List.of(java, "@cli/jvm.options", "-XX:+UseG1GC", "-version"), Map.of()).exit).isZero();
    }

    @Test
    void theOptionsPrintNothingIntoACommandsOutput() throws Exception {
        // a CompileCommand prints itself on stdout unless the file says quiet first
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Run r = run(List.of(java, "@cli/jvm.options", "@cli/jvm-gc.options", "--version"), Map.of());
        assertThat(r.exit).as(r.out).isZero();
        assertThat(r.out).doesNotContain("CompileCommand").contains(String.valueOf(Runtime.version().feature()));
    }

    @Test
    void theImageEntrypointKeepsPgkbsOptionsAndTakesTheUsersCollector(@TempDir Path home) throws Exception {
        for (String f : List.of("jvm.options", "jvm-gc.options", "jvm-options.sh")) {
            Files.copy(ROOT.resolve("cli").resolve(f), home.resolve(f));
        }
        // a stand-in for java on the PATH that prints the arguments it was given
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path fake = bin.resolve("java");
        Files.writeString(fake, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        String entrypoint = ROOT.resolve("cli/docker-entrypoint.sh").toString();
        String h = home.toString();

        Run plain = run(List.of("bash", entrypoint, "archive", "--help"),
                Map.of("PGKB_HOME", h, "PATH", bin + ":" + System.getenv("PATH")));
        assertThat(plain.exit).as(plain.out).isZero();
        assertThat(plain.out.lines().toList()).containsExactly("@" + h + "/jvm.options", "@" + h + "/jvm-gc.options",
                "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", h + "/pgkb.jar", "archive", "--help");

        Run g1 = run(List.of("bash", entrypoint, "list"),
                Map.of("PGKB_HOME", h, "PATH", bin + ":" + System.getenv("PATH"), "PGKB_JAVA_OPTS", "-XX:+UseG1GC -Xmx2g"));
        assertThat(g1.out.lines().toList()).containsExactly("@" + h + "/jvm.options", "-XX:MaxRAMPercentage=75",
                "-XX:+ExitOnOutOfMemoryError", "-XX:+UseG1GC", "-Xmx2g", "-jar", h + "/pgkb.jar", "list");
    }

    /** What cli/jvm-options.sh chooses for the user's options {@code opts}. */
    private static List<String> chosen(String opts) throws Exception {
        Run r = run(List.of("bash", "-c", "source cli/jvm-options.sh; pgkb_jvm_defaults cli " + opts
                + "; printf '%s\\n' \"${jvm_defaults[@]}\""), Map.of());
        assertThat(r.exit).as(r.out).isZero();
        return r.out.lines().toList();
    }

    private record Run(int exit, String out) {
    }

    private static Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }
}
