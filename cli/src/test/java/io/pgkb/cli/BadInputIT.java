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

    /** Independent runs at once (each is mostly JVM start-up); the results in the order given. */
    static List<Run> pgkbAll(String[]... runs) throws Exception {
        return PgkbJar.runAll(List.of(runs));
    }

    private static String[] args(String... args) {
        return args;
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
        List<Run> r = pgkbAll(
                args("produce", "--pg", "postgresql://localhost/x"),
                args("archive", "--bootstrap-servers", "localhost:9092"),
                args("dump", "--pg", "postgresql://localhost/x", "--store", "/tmp/x"),
                args("restore", "--store", "/tmp/x", "--tables", "public.t", "--latest"),
                args("inspect", "--table", "public.t"),
                args("list"),
                args("list", "--json"),
                args("verify", "--tables", "public.t"),
                args("restore", "--store", "/tmp/x", "--target", "postgresql://localhost/x", "--tables", "public.t"));
        assertOneLine(r.get(0), 2, "--bootstrap-servers", "see pgkb produce --help");
        assertOneLine(r.get(1), 2, "--store", "see pgkb archive --help");
        assertOneLine(r.get(2), 2, "--tables", "see pgkb dump --help");
        assertOneLine(r.get(3), 2, "--target", "see pgkb restore --help");
        assertOneLine(r.get(4), 2, "--bootstrap-servers", "see pgkb inspect --help");
        assertOneLine(r.get(5), 2, "--store", "see pgkb list --help");
        // with --json the same one line goes to stderr, and stdout holds the one JSON document a job reads
        Run json = r.get(6);
        assertThat(json.code()).isEqualTo(2);
        assertThat(json.messages()).hasSize(1);
        assertThat(json.messages().get(0)).startsWith("pgkb").contains("--store", "see pgkb list --help");
        assertThat(json.out()).contains("\"exit_code\" : 2").contains("Missing required option: '--store=URI'");
        assertOneLine(r.get(7), 2, "--store", "see pgkb verify --help");
        assertOneLine(r.get(8), 2, "--to-lsn", "--latest");
    }

    @Test
    void badValuesAndUris(@TempDir Path dir) throws Exception {
        Path props = dir.resolve("missing.properties");
        List<Run> r = pgkbAll(
                args("produce", "--pg", "mysql://localhost/x", "--bootstrap-servers", "localhost:9092"),
                args("restore", "--store", dir.toString(), "--target", "localhost:5432", "--tables", "public.t", "--latest"),
                args("restore", "--store", dir.toString(), "--target", "postgresql://localhost/x", "--tables", "public.t",
                        "--to-lsn", "16/zz"),
                args("restore", "--store", dir.toString(), "--target", "postgresql://localhost/x", "--tables", "public.t",
                        "--to-time", "yesterday"),
                args("inspect", "--bootstrap-servers", "localhost:9092", "--table", "a.b.c"),
                args("inspect", "--bootstrap-servers", "localhost:9092", "--table", "t", "--max-records", "many"),
                args("quickstart", "--workload-duration", "forever"),
                args("produce", "--pg", "postgresql://localhost/x", "--bootstrap-servers", "localhost:9092", "--partitions", "0"),
                args("dump", "--pg", "postgresql://localhost/x", "--store", "ftp://example.com/x", "--tables", "public.t"),
                args("inspect", "--bootstrap-servers", "localhost:9092", "--table", "t", "--kafka-config", props.toString()));
        assertOneLine(r.get(0), 2, "--pg", "postgresql://");
        assertOneLine(r.get(1), 2, "--target");
        assertOneLine(r.get(2), 2, "--to-lsn", "16/zz");
        assertOneLine(r.get(3), 2, "--to-time", "yesterday");
        assertOneLine(r.get(4), 2, "--table", "a.b.c");
        assertOneLine(r.get(5), 2, "--max-records", "many");
        assertOneLine(r.get(6), 2, "--workload-duration", "forever");
        assertOneLine(r.get(7), 2, "--partitions");
        assertOneLine(r.get(8), 2, "ftp://example.com/x");
        assertOneLine(r.get(9), 2, "--kafka-config", props.toString());
    }

    @Test
    void unreachableServicesAreNamedWithAHint(@TempDir Path dir) throws Exception {
        String pgDown = "postgresql://pgkb@localhost:" + closedPort + "/app";
        String kafkaDown = "localhost:" + closedPort;
        // each command that takes a store gets its own (empty) directory: the runs are concurrent
        Path dumpStore = Files.createDirectories(dir.resolve("dump"));
        Path dnsStore = Files.createDirectories(dir.resolve("dns"));
        // not produce: a producer waits for an unanswering PostgreSQL or Kafka at its start (producer BadInputIT)
        List<Run> r = pgkbAll(
                args("dump", "--pg", pgDown, "--store", dumpStore.toString(), "--tables", "public.t"),
                args("restore", "--store", dir.toString(), "--target", pgDown, "--tables", "public.t", "--latest"),
                args("inspect", "--bootstrap-servers", kafkaDown, "--table", "public.t", "--timeout", "3s"),
                args("dump", "--pg", "postgresql://pgkb@no-such-host.invalid:5432/app", "--store", dnsStore.toString(), "--tables", "t"));
        assertOneLine(r.get(0), 1, "localhost:" + closedPort);
        assertOneLine(r.get(1), 1, "localhost:" + closedPort);
        Run inspect = r.get(2);
        assertOneLine(inspect, 1, kafkaDown, "--bootstrap-servers");
        assertThat(inspect.err()).as("a one-shot command does not repeat the Kafka client's retries").hasSize(1);
        assertOneLine(r.get(3), 1, "no-such-host.invalid");
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
