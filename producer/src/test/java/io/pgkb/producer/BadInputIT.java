package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.PgUrl;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BadInputIT {

    @Test
    void secondProducerOnTheSameSlotFailsAtOnce() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE t (id int PRIMARY KEY)");
            Producer first = env.start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    "1".equals(env.queryOne("SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + env.slot + "'")));
            Instant t0 = Instant.now();
            assertThatThrownBy(() -> new Producer(env.config()).start())
                    .isInstanceOf(PgkbException.class)
                    .hasMessageContaining("replication slot " + env.slot + " is active")
                    .hasMessageNotContaining("\n")
                    .satisfies(e -> assertThat(((PgkbException) e).exitCode()).isEqualTo(1));
            assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(30));
            assertThat(first.isRunning()).isTrue();
            assertThat(first.failure()).isNull();
        }
    }

    @Test
    void wrongPasswordIsAConfigurationError() throws Exception {
        try (TestEnv env = new TestEnv()) {
            String url = "postgresql://postgres:wrong-password@localhost:" + TestEnv.pg().port() + "/" + env.db;
            ProducerSettings cfg = ProducerSettings.builder(PgUrl.parse(url), TestEnv.kafka().bootstrapServers(), env.prefix)
                    .slot(env.slot).publication("pgkb").build();
            assertThatThrownBy(() -> new Producer(cfg).start())
                    .isInstanceOf(PgkbException.ConfigException.class)
                    .hasMessageContaining("cannot log in to PostgreSQL postgres@localhost")
                    .hasMessageContaining("password authentication failed")
                    .hasMessageNotContaining("wrong-password")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void unreachablePostgresAndKafkaAreOneLineErrors() throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        try (TestEnv env = new TestEnv()) {
            ProducerSettings noPg = ProducerSettings.builder(PgUrl.parse("postgresql://postgres:x@localhost:" + freePort + "/db"),
                    TestEnv.kafka().bootstrapServers(), env.prefix).slot(env.slot).publication("pgkb").build();
            assertThatThrownBy(() -> new Producer(noPg).start())
                    .isInstanceOf(PgkbException.class)
                    .hasMessageContaining("localhost:" + freePort)
                    .hasMessageNotContaining("\n")
                    .satisfies(e -> assertThat(((PgkbException) e).exitCode()).isEqualTo(1));

            ProducerSettings noKafka = ProducerSettings.builder(PgUrl.parse(TestEnv.pg().uri(env.db)), "localhost:" + freePort, env.prefix)
                    .slot(env.slot).publication("pgkb").build();
            assertThatThrownBy(() -> new Producer(noKafka).start())
                    .isInstanceOf(PgkbException.FatalException.class)
                    .hasMessageContaining("cannot reach Kafka at localhost:" + freePort)
                    .hasMessageNotContaining("\n");
            assertThat(env.slotConfirmed()).as("no slot created when Kafka is unreachable").isNull();
        }
    }

    @Test
    void slotOfAnotherPluginAndMissingIdentityAreNamed() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("SELECT pg_create_logical_replication_slot('" + env.slot + "', 'test_decoding')");
            assertThatThrownBy(() -> env.start())
                    .isInstanceOf(PgkbException.ConfigException.class)
                    .hasMessageContaining("uses output plugin test_decoding, not pgoutput");
            env.sql("SELECT pg_drop_replication_slot('" + env.slot + "')");

            env.sql("CREATE TABLE public.nokey (a int, b text)", "CREATE TABLE public.haskey (id int PRIMARY KEY)");
            assertThatThrownBy(() -> env.start(env.config().toBuilder().onMissingIdentity(ProducerSettings.MissingIdentity.FAIL).build()))
                    .isInstanceOf(PgkbException.ConfigException.class)
                    .hasMessageContaining("table public.nokey has no usable replica identity")
                    .hasMessageContaining("ALTER TABLE \"public\".\"nokey\" REPLICA IDENTITY FULL");
            env.sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + env.slot + "'");
            env.start();
            assertThat(env.queryOne("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'pgkb'"))
                    .isEqualTo("haskey");
            // UPDATE on the skipped table keeps working on the primary
            env.sql("INSERT INTO nokey VALUES (1, 'x')", "UPDATE nokey SET b = 'y'", "DELETE FROM nokey");
        }
    }

    private static ProduceCommand parse(String... args) {
        ProduceCommand cmd = new ProduceCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void commandValidationNamesTheOption() {
        ProduceCommand cmd = parse("--pg", "postgresql://u@h/db", "--bootstrap-servers", "k:9092", "--partitions", "0");
        assertThatThrownBy(cmd::validate).isInstanceOf(PgkbException.ConfigException.class).hasMessageStartingWith("--partitions");
        cmd = parse("--pg", "postgresql://u@h/db", "--bootstrap-servers", "k:9092", "--max-message-bytes", "lots");
        assertThatThrownBy(cmd::validate).hasMessageStartingWith("--max-message-bytes");
        cmd = parse("--pg", "postgresql://u@h/db", "--bootstrap-servers", "k:9092", "--tables", "a.\"b");
        assertThatThrownBy(cmd::validate).hasMessageStartingWith("--tables");
        cmd = parse("--pg", "postgresql://u@h/db", "--bootstrap-servers", "k:9092", "--on-missing-identity", "ignore");
        assertThatThrownBy(cmd::validate).hasMessageStartingWith("--on-missing-identity");
        cmd = parse("--pg", "postgresql://u@h/db", "--bootstrap-servers", "k:9092", "--slot", "Bad-Slot");
        assertThatThrownBy(cmd::validate).hasMessageStartingWith("--slot");
        cmd = parse("--pg", "mysql://u@h/db", "--bootstrap-servers", "k:9092");
        assertThatThrownBy(cmd::validate).hasMessageStartingWith("--pg");
        cmd = parse("--pg", "postgresql://u@h/db", "--bootstrap-servers", "k:9092", "--tables", "a.b,\"Weird \"\"T\"\"\".x");
        ProducerSettings ok = cmd.validate();
        assertThat(ok.tables()).hasSize(2);
        assertThat(ok.maxMessageBytes()).isEqualTo(64L << 20);
    }
}
