package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code ./pgkb} launcher replaces itself with the JVM: exit codes and signals reach pgkb directly. */
@RealServices
class LauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static Process launch(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("pgkb").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        // the jar was just packaged by this build; a rebuild from inside a running build would race with it
        pb.environment().put("PGKB_SKIP_BUILD", "1");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    @Test
    void exitCodesPassThrough() throws Exception {
        Process version = launch("--version");
        assertThat(version.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(version.exitValue()).isZero();
        assertThat(new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("pgkb ");

        Process usage = launch("inspect", "--no-such-flag");
        assertThat(usage.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(usage.exitValue()).isEqualTo(2);
        assertThat(new String(usage.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                .isEqualTo("pgkb inspect: Unknown option: '--no-such-flag' (see pgkb inspect --help)");
    }

    @Test
    void theLauncherBecomesTheJvmSoSigtermReachesIt(TestKafka kafka) throws Exception {
        try (TestRecords w = new TestRecords(kafka.bootstrapServers(), kafka.prefix())) {
            w.createTopic(1);
            Process p = launch("inspect", "--bootstrap-servers", kafka.bootstrapServers(), "--table", "public.accounts",
                    "--topic-prefix", kafka.prefix());
            var stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
            // same pid, now running java: bash exec'd the JVM instead of waiting for it as a child
            await().atMost(Duration.ofSeconds(60)).until(() -> p.info().command().map(c -> c.endsWith("java")).orElse(false));
            assertThat(p.children().count()).isZero();
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            assertThat(p.exitValue()).isIn(0, 143);
            assertThat(stderr.get(10, TimeUnit.SECONDS)).doesNotContain("\tat ");
        }
    }
}
