package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cli/restore-test.sh}, the nightly restore test of the README, with a stand-in for pgkb that records its
 * arguments and ends as told: what it runs, in which order, with which point, and that its exit code is the first
 * failing command's. The commands themselves are proven in {@code JsonOutputTest} and the restorer's {@code RefusalIT}.
 */
class RestoreTestScriptTest {
    private static final Path SCRIPT = Path.of("restore-test.sh").toAbsolutePath();

    @TempDir
    Path dir;

    record Run(int code, List<String> out, String err, List<String> calls) {
    }

    private Run run(Map<String, String> env, int verifyExit, int restoreExit) throws Exception {
        Path stub = dir.resolve("pgkb");
        Files.writeString(stub, """
                #!/usr/bin/env bash
                echo "$*" >> "%s"
                case "$1" in verify) code=%d ;; restore) code=%d ;; esac
                printf '{\\n  "command" : "%%s",\\n  "exit_code" : %%d\\n}\\n' "$1" "$code"
                exit $code
                """.formatted(dir.resolve("calls"), verifyExit, restoreExit), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString());
        pb.environment().put("PGKB", stub.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        Path calls = dir.resolve("calls");
        return new Run(p.exitValue(), out.lines().toList(), err, Files.exists(calls) ? Files.readAllLines(calls) : List.of());
    }

    private static final Map<String, String> ENV = Map.of(
            "PGKB_STORE", "s3://bucket/archive",
            "PGKB_STORE_OPTIONS", "--s3-endpoint http://minio:9000 --s3-path-style",
            "PGKB_TARGET", "postgresql://scratch@db:5432/restore_test",
            "PGKB_TABLES", "app.orders=nightly.orders,app.items",
            "PGKB_RESTORE_AGE", "24h");

    @Test
    void verifiesThenRestoresYesterdaysPointAndPrintsBothDocuments() throws Exception {
        Instant before = Instant.now().minus(Duration.ofHours(24));
        Run r = run(ENV, 0, 0);
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.calls).hasSize(2);
        assertThat(r.calls.get(0)).isEqualTo("verify --json --log-format json --store s3://bucket/archive --topic-prefix pgkb "
                + "--s3-endpoint http://minio:9000 --s3-path-style --tables app.orders,app.items");
        assertThat(r.calls.get(1)).startsWith("restore --json --log-format json --store s3://bucket/archive --topic-prefix pgkb "
                + "--s3-endpoint http://minio:9000 --s3-path-style --target postgresql://scratch@db:5432/restore_test "
                + "--tables app.orders=nightly.orders,app.items --to-time ").endsWith(" --replace");
        Instant point = Instant.parse(r.calls.get(1).replaceAll(".* --to-time (\\S+) .*", "$1"));
        assertThat(point).isBetween(before.minusSeconds(2), Instant.now().minus(Duration.ofHours(24)).plusSeconds(1));
        ObjectMapper json = new ObjectMapper();
        assertThat(r.out).hasSize(2);
        assertThat(json.readTree(r.out.get(0)).get("command").asText()).isEqualTo("verify");
        assertThat(json.readTree(r.out.get(1)).get("command").asText()).isEqualTo("restore");
    }

    @Test
    void aDamagedArchiveStopsBeforeTheRestoreWithVerifysExitCode() throws Exception {
        Run r = run(ENV, 3, 0);
        assertThat(r.code).isEqualTo(3);
        assertThat(r.calls).hasSize(1);
        assertThat(r.err).contains("verify failed with exit code 3");
    }

    @Test
    void aRefusedRestoreIsTheJobsExitCode() throws Exception {
        Run r = run(ENV, 0, 3);
        assertThat(r.code).isEqualTo(3);
        assertThat(r.calls).hasSize(2);
        assertThat(r.err).contains("restore to ").contains("failed with exit code 3");
    }

    @Test
    void missingSettingsAreAUsageError() throws Exception {
        Run r = run(Map.of("PGKB_STORE", "/archive", "PGKB_TABLES", "app.t"), 0, 0);
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("PGKB_TARGET is required");
        assertThat(r.calls).isEmpty();
        Run bad = run(Map.of("PGKB_STORE", "/a", "PGKB_TARGET", "postgresql://x@y/z", "PGKB_TABLES", "app.t", "PGKB_RESTORE_AGE", "yesterday"), 0, 0);
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err).contains("PGKB_RESTORE_AGE");
    }
}
