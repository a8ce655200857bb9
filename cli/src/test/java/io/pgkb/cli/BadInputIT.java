package io.pgkb.cli;

import static io.pgkb.cli.PgkbJar.assertOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.cli.PgkbJar.Run;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import io.pgkb.testkit.junit.TestKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command, given bad input, says in one line what is wrong and how to fix it, with exit code 2 (usage,
 * configuration) or 1 (a service cannot be reached), and never a stack trace. Runs the shaded jar as operators do.
 */
@RealServices
class BadInputIT {
    private static final Path JAR = PgkbJar.JAR;
    private static int closedPort;

    @BeforeAll
    static void closedPort() throws IOException {
        assertThat(JAR).as("the shaded jar (built in the package phase)").exists();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens here once the socket is closed
        }
    }

    static Run pgkb(Map<String, String> env, String... args) throws Exception {
        return PgkbJar.run(env, args);
    }

    static Run pgkb(String... args) throws Exception {
        return PgkbJar.run(args);
    }

    static List<Run> pgkbAll(List<String[]> runs) throws Exception {
        return PgkbJar.runAll(runs);
    }

    @Test
    void wrongFlagNamesItAndPointsToHelp() throws Exception {
        List<String> cmds = List.of("produce", "archive", "dump", "restore", "list", "verify", "inspect", "quickstart");
        List<Run> runs = pgkbAll(cmds.stream().map(c -> new String[] {c, "--no-such-flag"}).toList());
        for (int i = 0; i < cmds.size(); i++) {
            assertOneLine(runs.get(i), 2, "--no-such-flag", "see pgkb " + cmds.get(i) + " --help");
            assertThat(runs.get(i).err()).as(cmds.get(i)).hasSize(1);
        }
        assertOneLine(pgkb("--log-format", "xml", "inspect"), 2, "--log-format", "xml");
        assertOneLine(pgkb("frobnicate"), 2, "frobnicate", "see pgkb --help");
    }

    @Test
    void missingRequiredOptionNamesIt() throws Exception {
        assertOneLine(pgkb("produce", "--pg", "postgresql://localhost/x"), 2, "--bootstrap-servers", "see pgkb produce --help");
        assertOneLine(pgkb("archive", "--bootstrap-servers", "localhost:9092"), 2, "--store", "see pgkb archive --help");
        assertOneLine(pgkb("dump", "--pg", "postgresql://localhost/x", "--store", "/tmp/x"), 2, "--tables", "see pgkb dump --help");
        assertOneLine(pgkb("restore", "--store", "/tmp/x", "--tables", "public.t", "--latest"), 2, "--target", "see pgkb restore --help");
        assertOneLine(pgkb("inspect", "--table", "public.t"), 2, "--bootstrap-servers", "see pgkb inspect --help");
        assertOneLine(pgkb("list"), 2, "--store", "see pgkb list --help");
        // with --json the same one line goes to stderr, and stdout holds the one JSON document a job reads
        Run json = pgkb("list", "--json");
        assertThat(json.code()).isEqualTo(2);
        assertThat(json.messages()).hasSize(1);
        assertThat(json.messages().get(0)).startsWith("pgkb").contains("--store", "see pgkb list --help");
        assertThat(json.out()).contains("\"exit_code\" : 2").contains("Missing required option: '--store=URI'");
        assertOneLine(pgkb("verify", "--tables", "public.t"), 2, "--store", "see pgkb verify --help");
        assertOneLine(pgkb("restore", "--store", "/tmp/x", "--target", "postgresql://localhost/x", "--tables", "public.t"), 2,
                "--to-lsn", "--latest");
    }

    @Test
    void badValuesAndUris(@TempDir Path dir) throws Exception {
        assertOneLine(pgkb("produce", "--pg", "mysql://localhost/x", "--bootstrap-servers", "localhost:9092"), 2, "--pg", "postgresql://");
        assertOneLine(pgkb("restore", "--store", dir.toString(), "--target", "localhost:5432", "--tables", "public.t", "--latest"), 2,
                "--target");
        assertOneLine(pgkb("restore", "--store", dir.toString(), "--target", "postgresql://localhost/x", "--tables", "public.t",
                "--to-lsn", "16/zz"), 2, "--to-lsn", "16/zz");
        assertOneLine(pgkb("restore", "--store", dir.toString(), "--target", "postgresql://localhost/x", "--tables", "public.t",
                "--to-time", "yesterday"), 2, "--to-time", "yesterday");
        assertOneLine(pgkb("inspect", "--bootstrap-servers", "localhost:9092", "--table", "a.b.c"), 2, "--table", "a.b.c");
        assertOneLine(pgkb("inspect", "--bootstrap-servers", "localhost:9092", "--table", "t", "--max-records", "many"), 2, "--max-records", "many");
        assertOneLine(pgkb("quickstart", "--workload-duration", "forever"), 2, "--workload-duration", "forever");
        assertOneLine(pgkb("produce", "--pg", "postgresql://localhost/x", "--bootstrap-servers", "localhost:9092", "--partitions", "0"), 2,
                "--partitions");
        assertOneLine(pgkb("dump", "--pg", "postgresql://localhost/x", "--store", "ftp://example.com/x", "--tables", "public.t"), 2,
                "ftp://example.com/x");
        Path props = dir.resolve("missing.properties");
        assertOneLine(pgkb("inspect", "--bootstrap-servers", "localhost:9092", "--table", "t", "--kafka-config", props.toString()), 2,
                "--kafka-config", props.toString());
    }

    @Test
    void unreachableServicesAreNamedWithAHint(@TempDir Path dir) throws Exception {
        String pgDown = "postgresql://pgkb@localhost:" + closedPort + "/app";
        String kafkaDown = "localhost:" + closedPort;
        assertOneLine(pgkb("produce", "--pg", pgDown, "--bootstrap-servers", kafkaDown), 1, "localhost:" + closedPort);
        assertOneLine(pgkb("dump", "--pg", pgDown, "--store", dir.toString(), "--tables", "public.t"), 1, "localhost:" + closedPort);
        assertOneLine(pgkb("restore", "--store", dir.toString(), "--target", pgDown, "--tables", "public.t", "--latest"), 1,
                "localhost:" + closedPort);
        Run inspect = pgkb("inspect", "--bootstrap-servers", kafkaDown, "--table", "public.t", "--timeout", "3s");
        assertOneLine(inspect, 1, kafkaDown, "--bootstrap-servers");
        assertThat(inspect.err()).as("a one-shot command does not repeat the Kafka client's retries").hasSize(1);
        assertOneLine(pgkb("dump", "--pg", "postgresql://pgkb@no-such-host.invalid:5432/app", "--store", dir.toString(), "--tables", "t"), 1,
                "no-such-host.invalid");
    }

    @Test
    void wrongPasswordIsOneLineAndNeverEchoed(TestDatabase db, TestKafka kafka, @TempDir Path dir) throws Exception {
        String wrong = "Wr0ng-" + Long.toHexString(System.nanoTime());
        String url = "postgresql://" + db.user() + ":" + wrong + "@" + db.host() + ":" + db.port() + "/" + db.name();
        Run r = pgkb("produce", "--pg", url, "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", kafka.prefix());
        // a wrong password is configuration: exit 2 from every command
        assertOneLine(r, 2, "password authentication failed");
        assertThat(String.join("\n", r.err()) + r.out()).doesNotContain(wrong);
        Run d = pgkb("dump", "--pg", url, "--store", dir.toString(), "--tables", "public.t");
        assertOneLine(d, 2, "password authentication failed");
        assertThat(String.join("\n", d.err()) + d.out()).doesNotContain(wrong);
    }

    @Test
    void logsOfARealRunNeverContainThePassword(TestDatabase db, @TempDir Path dir) throws Exception {
        db.execute("CREATE TABLE public.secrets_test (id int PRIMARY KEY, v text)", "INSERT INTO public.secrets_test VALUES (1, 'a'), (2, 'b')");
        // the password in the URL, at debug level, in both log formats: the places a password would leak if it could
        for (String format : List.of("text", "json")) {
            Run r = pgkb("--log-level", "debug", "--log-format", format, "dump", "--pg", db.uri(),
                    "--store", dir.resolve(format).toString(), "--tables", "public.secrets_test");
            String everything = String.join("\n", r.err()) + "\n" + r.out();
            assertThat(r.code()).as(everything).isZero();
            assertThat(r.err()).as("the run logged something").isNotEmpty();
            assertThat(everything).as(format).doesNotContain(db.password());
            try (var files = Files.walk(dir.resolve(format))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    if (f.toString().endsWith(".json")) {
                        assertThat(Files.readString(f)).as(f.toString()).doesNotContain(db.password());
                    }
                }
            }
        }
        // and through PGPASSWORD, the way docker-compose passes it
        Map<String, String> env = db.environment();
        Run r = pgkb(env, "--log-level", "debug", "dump", "--pg", db.uriWithoutPassword(), "--store", dir.resolve("env").toString(),
                "--tables", "public.secrets_test");
        assertThat(r.code()).as(String.join("\n", r.err())).isZero();
        assertThat(String.join("\n", r.err()) + r.out()).doesNotContain(db.password());
    }
}
