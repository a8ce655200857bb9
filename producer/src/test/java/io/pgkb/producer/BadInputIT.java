package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgkb.producer.internal.KafkaStartWait;
import io.pgkb.producer.internal.PgStartWait;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.TcpForward;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
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
    void aBadKafkaAddressIsAOneLineError() throws Exception {
        try (TestEnv env = new TestEnv()) {
            // a broker that does not answer is waited for (next test); an address that cannot be one is refused at once
            ProducerSettings badAddress = ProducerSettings.builder(PgUrl.parse(TestEnv.pg().uri(env.db)), "localhost:no-port", env.prefix)
                    .slot(env.slot).publication("pgkb").build();
            Instant t0 = Instant.now();
            assertThatThrownBy(() -> new Producer(badAddress).start())
                    .isInstanceOf(PgkbException.ConfigException.class)
                    .hasMessageContaining("localhost:no-port")
                    .hasMessageNotContaining("\n");
            assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
            assertThat(env.slotConfirmed()).as("no slot created when Kafka cannot be reached").isNull();
        }
    }

    /**
     * Issue 16: a producer started while PostgreSQL does not answer (here: a port that refuses connections until it
     * forwards them to the shared server) waits for it, says so, and streams once it answers (it used to exit 1). A
     * wrong password is still an error at once ({@link #wrongPasswordIsAConfigurationError}).
     */
    @Test
    void aProducerStartedWhilePostgresIsDownWaitsForItAndStreams() throws Exception {
        ListAppender<ILoggingEvent> lines = capture(PgStartWait.class);
        int port = TcpForward.freePort();
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE t (id int PRIMARY KEY)");
            String url = TestEnv.pg().uri(env.db).replace(":" + TestEnv.pg().port() + "/", ":" + port + "/");
            ProducerSettings viaPort = ProducerSettings.builder(PgUrl.parse(url), TestEnv.kafka().bootstrapServers(), env.prefix)
                    .slot(env.slot).publication("pgkb").refreshInterval(Duration.ofSeconds(1)).build();
            CompletableFuture<Producer> started = CompletableFuture.supplyAsync(() -> env.start(viaPort));
            String what = "PostgreSQL postgres@localhost:" + port + "/" + env.db;
            await().atMost(Duration.ofSeconds(60)).until(() -> said(lines).stream().anyMatch(l -> l.startsWith(
                    what + " does not answer; waiting for it and retrying")));
            assertThat(started).as("still waiting, not failed").isNotDone();
            try (TcpForward answering = TcpForward.start(port, TestEnv.pg().port())) {
                Producer producer = started.get(120, TimeUnit.SECONDS);
                streamsAfterSayingTheWaitOnce(env, lines, what);
                producer.stop(); // while its connections still go through the forward
                assertThat(producer.failure()).isNull();
            }
        } finally {
            detach(PgStartWait.class, lines);
        }
    }

    /**
     * Issue 16: a producer started while the broker is down waits for it, says so, and streams once it is up (it used
     * to exit 1 after 20 s, and a service manager's restarts cost a JVM start each).
     */
    @Test
    void aProducerStartedWhileTheBrokerIsDownWaitsForItAndStreams() throws Exception {
        ListAppender<ILoggingEvent> lines = capture(KafkaStartWait.class);
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE t (id int PRIMARY KEY)");
            CompletableFuture<Producer> started;
            TestEnv.kafka().stop();
            try {
                started = CompletableFuture.supplyAsync(env::start);
                await().atMost(Duration.ofSeconds(60)).until(() -> said(lines).stream().anyMatch(l -> l.startsWith(
                        "Kafka at " + TestEnv.kafka().bootstrapServers() + " does not answer; waiting for it and retrying")));
                assertThat(started).as("still waiting, not failed").isNotDone();
            } finally {
                TestEnv.kafka().startAgain();
            }
            Producer producer = started.get(120, TimeUnit.SECONDS);
            streamsAfterSayingTheWaitOnce(env, lines, "Kafka at " + TestEnv.kafka().bootstrapServers());
            assertThat(producer.isRunning()).isTrue();
        } finally {
            detach(KafkaStartWait.class, lines);
        }
    }

    /** After a start that waited for {@code what}: a change streams and is confirmed; the wait was said once, then its end. */
    private static void streamsAfterSayingTheWaitOnce(TestEnv env, ListAppender<ILoggingEvent> lines, String what) throws Exception {
        env.sql("INSERT INTO t VALUES (1)");
        Lsn written = env.currentWalLsn();
        await().atMost(Duration.ofSeconds(60)).until(() -> env.slotConfirmed().compareTo(written) >= 0);
        assertThat(env.readAll(env.topic("public", "t"))).hasSize(1);
        assertThat(said(lines)).filteredOn(l -> l.contains("does not answer")).hasSize(1);
        assertThat(said(lines)).anyMatch(l -> l.startsWith(what + " answers after"));
    }

    /**
     * A first start that fails after it created the slot drops the slot again: nothing archived relies on it yet, and
     * a slot left behind would hold WAL back until someone noticed. Here the table's topic cannot be created: its
     * escaped schema and table names make the topic name longer than Kafka's 249 characters.
     */
    @Test
    void aSlotCreatedByAStartThatFailsLaterIsDroppedAgain() throws Exception {
        ListAppender<ILoggingEvent> lines = capture(Producer.class);
        try (TestEnv env = new TestEnv()) {
            String name = "s.".repeat(31); // 62 characters, 124 escaped
            env.sql("CREATE SCHEMA \"" + name + "\"", "CREATE TABLE \"" + name + "\".\"" + name + "\" (id int PRIMARY KEY)");
            assertThatThrownBy(env::start)
                    .isInstanceOf(PgkbException.class)
                    .hasMessageContaining("Kafka refuses to create topic " + env.prefix + ".")
                    .hasMessageContaining("shorten the table's or schema's name or --topic-prefix")
                    .hasMessageNotContaining("\n")
                    .satisfies(e -> assertThat(((PgkbException) e).exitCode()).as("a name Kafka never accepts").isEqualTo(2));
            assertThat(said(lines)).anyMatch(l -> l.startsWith("created replication slot slot=" + env.slot + " "));
            assertThat(said(lines)).anyMatch(l -> l.startsWith("dropped replication slot slot=" + env.slot + ":"));
            assertThat(env.queryOne("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + env.slot + "'"))
                    .as("no slot left behind").isEqualTo("0");

            // the failed start left the table in the publication without its topic. The operator shortens its name
            // and publishes another table by hand; the next start creates both topics, with pgkb's settings, before it
            // streams (an archiver dumps a table when its topic appears: without it an idle table was never backed up)
            env.sql("ALTER TABLE \"" + name + "\".\"" + name + "\" RENAME TO t",
                    "CREATE TABLE byhand (id int PRIMARY KEY)", "ALTER PUBLICATION pgkb ADD TABLE byhand");
            env.start(env.config().toBuilder().partitions(3).build());
            String renamed = env.topic(name, "t");
            String byHand = env.topic("public", "byhand");
            assertThat(env.topicExists(renamed)).as("topic of the table the failed start published").isTrue();
            assertThat(env.topicExists(byHand)).as("topic of the table published by hand").isTrue();
            assertThat(env.partitions(renamed)).isEqualTo(3);
            assertThat(env.partitions(byHand)).isEqualTo(3);
            env.sql("INSERT INTO \"" + name + "\".t VALUES (7)");
            await().atMost(Duration.ofSeconds(60)).until(() -> env.count(renamed) == 1);
            assertThat(env.changes(renamed)).singleElement().satisfies(r -> assertThat(r.after().get("id")).isEqualTo(7));
        } finally {
            detach(Producer.class, lines);
        }
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> source) {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        ((Logger) LoggerFactory.getLogger(source)).addAppender(lines);
        return lines;
    }

    private static void detach(Class<?> source, ListAppender<ILoggingEvent> lines) {
        ((Logger) LoggerFactory.getLogger(source)).detachAppender(lines);
    }

    private static List<String> said(ListAppender<ILoggingEvent> lines) {
        synchronized (lines) { // AppenderBase appends under the appender's lock
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
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
