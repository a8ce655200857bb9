package io.pgkb.cli;

import static io.pgkb.cli.PgkbJar.assertOneLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.cli.PgkbJar.Run;
import io.pgkb.cli.PgkbJar.Running;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.pgkb.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that talks to Kafka or PostgreSQL works against servers secured as in production: a broker whose
 * client listener is SASL_SSL with SCRAM-SHA-512, and a PostgreSQL with {@code ssl=on} whose pg_hba accepts only
 * {@code hostssl … scram-sha-256}, both with certificates from a CA made for this test. The clients verify the
 * servers ({@code sslmode=verify-full}, a PEM trust store); a wrong CA or password is one line with exit 2; and
 * neither password reaches any log line, at debug level, in text and JSON logs, with the PostgreSQL password in
 * the URL and in PGPASSWORD.
 */
class TransportSecurityIT {
    private static final String KAFKA_USER = "pgkb-backup";
    private static final String KAFKA_PASSWORD = "kafka-" + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(8));
    private static final String PREFIX = "tls";
    private static final String DB = "app";

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static TestCertificates otherCa;
    private static LocalPostgres pg;
    private static LocalKafka kafka;
    private static Path kafkaConfig;

    @BeforeAll
    static void secureServers() throws Exception {
        assertThat(PgkbJar.JAR).as("the shaded jar (built in the package phase)").exists();
        certs = TestCertificates.create(dir.resolve("ca"));
        otherCa = TestCertificates.create(dir.resolve("other-ca"));
        CompletableFuture<LocalKafka> k = CompletableFuture.supplyAsync(() -> LocalKafka.startWithSaslSsl(certs));
        pg = LocalPostgres.startWithTls(certs);
        kafka = k.get();
        kafka.addScramUser(KAFKA_USER, KAFKA_PASSWORD);
        pg.createDatabase(DB);
        kafkaConfig = kafkaConfig("kafka.properties", KAFKA_PASSWORD, certs);
    }

    @AfterAll
    static void stopServers() {
        if (kafka != null) {
            kafka.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** The operator's --kafka-config, written as the README shows it. */
    private static Path kafkaConfig(String name, String password, TestCertificates trusted) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + KAFKA_USER
                        + "\" password=\"" + password + "\";",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + trusted.caCertificate(),
                ""), StandardCharsets.UTF_8);
        return file;
    }

    /** {@code postgresql://user[:password]@localhost:port/app?sslmode=verify-full&sslrootcert=…}. */
    private static String pgUrl(String password, TestCertificates trusted) {
        String auth = pg.user() + (password == null ? "" : ":" + password);
        return "postgresql://" + auth + "@localhost:" + pg.port() + "/" + DB + "?sslmode=verify-full&sslrootcert=" + trusted.caCertificate();
    }

    private static Map<String, String> pgPasswordEnv() {
        return Map.of("PGPASSWORD", pg.password());
    }

    private static void sql(String... statements) throws Exception {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static String query(String q) throws Exception {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String md5(String table) throws Exception {
        return query("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM " + table + " t");
    }

    @Test
    void everyCommandWorksOverSaslSslAndVerifiedTlsWithoutLeakingAPassword() throws Exception {
        sql("CREATE TABLE public.accounts (id int PRIMARY KEY, owner text, balance numeric)",
                "INSERT INTO public.accounts SELECT g, 'owner-' || g, g * 1.5 FROM generate_series(1, 200) g");
        Path store = dir.resolve("store");
        List<Run> runs = new ArrayList<>();
        Running produce = PgkbJar.start(Map.of(), "--log-level", "debug", "produce", "--pg", pgUrl(pg.password(), certs),
                "--bootstrap-servers", kafka.saslSslBootstrapServers(), "--kafka-config", kafkaConfig.toString(), "--topic-prefix", PREFIX);
        Running archive = null;
        try {
            await().atMost(Duration.ofSeconds(180)).until(() -> running(produce) && "t".equals(query("SELECT active FROM pg_replication_slots WHERE slot_name = 'pgkb'")));
            runs.add(PgkbJar.run(Map.of(), "--log-level", "debug", "--log-format", "json", "dump", "--pg", pgUrl(pg.password(), certs),
                    "--store", store.toString(), "--tables", "public.accounts", "--topic-prefix", PREFIX));
            assertThat(last(runs).code()).as(last(runs).everything()).isZero();
            archive = PgkbJar.start(pgPasswordEnv(), "--log-level", "debug", "--log-format", "json", "archive",
                    "--bootstrap-servers", kafka.saslSslBootstrapServers(), "--kafka-config", kafkaConfig.toString(), "--topic-prefix", PREFIX,
                    "--group", "tls-archiver", "--store", store.toString(), "--pg", pgUrl(null, certs), "--segment-max-age", "1s",
                    "--spool-dir", dir.resolve("spool").toString());
            sql("UPDATE public.accounts SET balance = balance + 1 WHERE id % 3 = 0",
                    "DELETE FROM public.accounts WHERE id % 7 = 0",
                    "INSERT INTO public.accounts VALUES (1000, 'late', 0)",
                    "SELECT pg_logical_emit_message(true, 'pgkb.mark', 'tls-check')");
            String atMark = md5("public.accounts");
            sql("UPDATE public.accounts SET owner = 'after the mark'");

            Running archiving = archive;
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> running(archiving) && running(produce) && InProcess.run("restore",
                    "--store", store.toString(), "--target", pgUrl(pg.password(), certs), "--tables", "public.accounts=public.restored",
                    "--topic-prefix", PREFIX, "--to-mark", "tls-check", "--dry-run").code() == 0);
            runs.add(PgkbJar.run(pgPasswordEnv(), "--log-level", "debug", "restore", "--store", store.toString(),
                    "--target", pgUrl(null, certs), "--tables", "public.accounts=public.restored", "--topic-prefix", PREFIX,
                    "--to-mark", "tls-check", "--bootstrap-servers", kafka.saslSslBootstrapServers(), "--kafka-config", kafkaConfig.toString()));
            assertThat(last(runs).code()).as(last(runs).everything()).isZero();
            assertThat(md5("public.restored")).as("restored over verify-full TLS, rows as at the mark").isEqualTo(atMark);

            runs.add(PgkbJar.run(Map.of(), "--log-level", "debug", "inspect", "--bootstrap-servers", kafka.saslSslBootstrapServers(),
                    "--kafka-config", kafkaConfig.toString(), "--topic-prefix", PREFIX, "--table", "public.accounts", "--from-beginning",
                    "--max-records", "5"));
            assertThat(last(runs).code()).as(last(runs).everything()).isZero();
            assertThat(last(runs).out().lines()).hasSize(5).allMatch(l -> l.contains("\"topic\":\"tls.public.accounts\""));
        } finally {
            Run archived = archive == null ? null : archive.stop();
            runs.add(produce.stop());
            if (archived != null) {
                runs.add(runs.size() - 1, archived);
            }
        }
        assertThat(runs.get(runs.size() - 2).code()).as("archive stopped by SIGTERM: " + runs.get(runs.size() - 2).everything()).isZero();
        assertThat(last(runs).code()).as("produce stopped by SIGTERM: " + last(runs).everything()).isIn(0, 143);
        assertThat(runs.stream().flatMap(r -> r.err().stream())).as("debug events, text and JSON")
                .anyMatch(l -> l.contains(" DEBUG ")).anyMatch(l -> l.contains("\"level\":\"DEBUG\""));
        for (Run r : runs) {
            assertThat(r.everything()).doesNotContain(pg.password()).doesNotContain(KAFKA_PASSWORD);
        }
    }

    /** Fails at once, with what it said, when a command that should keep running has ended. */
    private static boolean running(Running r) throws Exception {
        if (!r.process().isAlive()) {
            Run ended = r.stop();
            throw new AssertionError("pgkb ended with exit code " + ended.code() + ": " + ended.everything());
        }
        return true;
    }

    private static Run last(List<Run> runs) {
        return runs.get(runs.size() - 1);
    }

    @Test
    void wrongCaOrPasswordIsOneLineWithExit2() throws Exception {
        String wrongPassword = "wrong-" + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(6));
        String badKafkaCa = kafkaConfig("kafka-other-ca.properties", KAFKA_PASSWORD, otherCa).toString();
        String badKafkaPassword = kafkaConfig("kafka-wrong-password.properties", wrongPassword, certs).toString();
        String kafkaHosts = kafka.saslSslBootstrapServers();
        Path store = dir.resolve("bad-store");
        List<String[]> cases = List.of(
                new String[] {"inspect", "--bootstrap-servers", kafkaHosts, "--kafka-config", badKafkaCa, "--table", "public.accounts",
                        "--timeout", "120s"},
                new String[] {"inspect", "--bootstrap-servers", kafkaHosts, "--kafka-config", badKafkaPassword, "--table", "public.accounts",
                        "--timeout", "120s"},
                new String[] {"produce", "--pg", pgUrl(pg.password(), certs), "--bootstrap-servers", kafkaHosts, "--kafka-config", badKafkaPassword,
                        "--topic-prefix", "tls-bad", "--slot", "tls_bad"},
                new String[] {"archive", "--bootstrap-servers", kafkaHosts, "--kafka-config", badKafkaCa, "--topic-prefix", "tls-bad",
                        "--store", store.toString(), "--spool-dir", dir.resolve("bad-spool").toString()},
                new String[] {"dump", "--pg", pgUrl(pg.password(), otherCa), "--store", store.toString(), "--tables", "public.accounts"},
                new String[] {"restore", "--store", store.toString(), "--target", pgUrl(wrongPassword, certs), "--tables", "public.accounts",
                        "--latest"},
                new String[] {"produce", "--pg", pgUrl(pg.password(), otherCa), "--bootstrap-servers", kafkaHosts, "--kafka-config",
                        kafkaConfig.toString(), "--topic-prefix", "tls-bad", "--slot", "tls_bad"});
        List<String> says = List.of("ssl.truststore", "sasl.jaas.config", "sasl.jaas.config", "ssl.truststore", "sslrootcert",
                "password authentication failed", "sslrootcert");
        List<Run> runs = new ArrayList<>();
        for (String[] args : cases) {
            // one at a time: a loaded machine must not turn a refused login into a timeout
            runs.add(PgkbJar.run(args));
        }
        for (int i = 0; i < cases.size(); i++) {
            Run r = runs.get(i);
            assertOneLine(r, 2, says.get(i));
            assertThat(r.everything()).as(String.join(" ", cases.get(i)))
                    .doesNotContain(pg.password()).doesNotContain(KAFKA_PASSWORD).doesNotContain(wrongPassword);
        }
        assertThat(query("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'tls_bad'")).isEqualTo("0");
        if (Files.exists(store)) {
            try (var files = Files.walk(store)) {
                assertThat(files.filter(Files::isRegularFile)).as("nothing written by a command that could not log in").isEmpty();
            }
        }
    }
}
