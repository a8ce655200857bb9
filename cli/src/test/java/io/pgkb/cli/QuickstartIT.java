package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgkb quickstart --keep} end to end, as an operator runs it (the shaded jar): real PostgreSQL, real Kafka,
 * producer, archiver, dump, mark, restore, md5 comparison; then the services stay up until SIGTERM stops them all.
 */
class QuickstartIT {
    private static final Path JAR = Path.of(System.getProperty("pgkb.jar", "target/pgkb.jar"));
    private static final Pattern PG = Pattern.compile("PostgreSQL  postgresql://(\\w+)@localhost:(\\d+)/(\\w+)  \\(password in (\\S+)\\)");
    private static final Pattern KAFKA = Pattern.compile("Kafka       localhost:(\\d+) ");

    @Test
    void restoresAtTheMarkIdenticalToTheSourceThenKeepsRunningUntilSigterm(@TempDir Path dir) throws Exception {
        long started = System.nanoTime();
        List<String> cmd = ChildJvm.java();
        cmd.addAll(List.of("-jar", JAR.toString(),
                "quickstart", "--keep", "--data-dir", dir.resolve("qs").toString(), "--workload-duration", "6s"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectError(dir.resolve("stderr.log").toFile());
        Process p = pb.start();
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    out.add(l);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        try {
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !p.isAlive() || out.stream().anyMatch(l -> l.startsWith("Still running")));
            String all = String.join("\n", out);
            assertThat(p.isAlive()).as(all + "\n" + Files.readString(dir.resolve("stderr.log"))).isTrue();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("quickstart reached the restore result in %.1fs%n", seconds);
            assertThat(seconds).as("quickstart must stay under 2 minutes").isLessThan(120);

            List<String> rows = out.stream().filter(l -> l.startsWith("shop.") && l.matches(".*(MATCH|DIFFERENT)$")).toList();
            assertThat(rows).as(all).hasSize(2).allSatisfy(l -> assertThat(l).endsWith("MATCH"));
            for (String l : rows) {
                String[] f = l.split("\\s+");
                assertThat(f[1]).isEqualTo(f[3]);
                assertThat(f[2]).isEqualTo(f[4]).matches("[0-9a-f]{32}");
                assertThat(Long.parseLong(f[1])).isPositive();
            }
            assertThat(all).contains("mark 'quickstart-mark'", "dump taken", "archive verified", "Where everything is:");
            assertThat(out).anySatisfy(l -> assertThat(l).startsWith("{\"topic\":\"pgkb.shop.orders\"").contains("\"op\":\"INSERT\""));
            try (var tables = Files.list(dir.resolve("qs/archive/pgkb/v1/tables"))) {
                assertThat(tables.map(t -> t.getFileName().toString())).contains("shop.accounts", "shop.orders");
            }

            // --keep: PostgreSQL answers with the printed connection details, and the restored tables are there
            Matcher pg = PG.matcher(all);
            assertThat(pg.find()).as(all).isTrue();
            Matcher kafka = KAFKA.matcher(all);
            assertThat(kafka.find()).as(all).isTrue();
            int pgPort = Integer.parseInt(pg.group(2));
            int kafkaPort = Integer.parseInt(kafka.group(1));
            Properties props = new Properties();
            props.setProperty("user", pg.group(1));
            props.setProperty("password", Files.readString(Path.of(pg.group(4))).strip());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pgPort + "/" + pg.group(3), props);
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM restored.accounts")) {
                rs.next();
                assertThat(rs.getLong(1)).isPositive();
            }

            p.destroy(); // SIGTERM, as Ctrl-C would
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            assertThat(p.exitValue()).as("a graceful stop").isZero();
            assertThat(reachable(pgPort)).as("PostgreSQL stopped").isFalse();
            assertThat(reachable(kafkaPort)).as("Kafka stopped").isFalse();
            assertThat(Files.readString(dir.resolve("stderr.log"))).doesNotContain("\tat ", "Exception in thread");
        } finally {
            p.destroyForcibly();
            reader.get(30, TimeUnit.SECONDS);
        }
    }

    private static boolean reachable(int port) {
        try (Socket s = new Socket("localhost", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void refusesADataDirItDidNotMake(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        InProcess.Result r = InProcess.run("quickstart", "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("--data-dir", "not made by pgkb quickstart");
        assertThat(dir.resolve("precious.txt")).hasContent("keep me");
    }
}
