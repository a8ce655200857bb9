package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.Lsn;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 with a broker outage, and recovery from outages (issue 16 §1), with one broker stop/start (a restart
 * costs seconds of CI time, so both claims share it). While Kafka is down the workload goes on, and the slot never
 * confirms a position past a transaction whose records Kafka had not acknowledged. Proof by the broker's own clock:
 * the table topic uses LogAppendTime, so every transaction with commit_lsn below the confirmed position must have a
 * record appended before the broker was stopped. After the broker returns, the producer (which never stopped)
 * confirms past the WAL position of the moment of the fault within 15 s, everything arrives, and a table created
 * during the outage gets its topic; after a PostgreSQL restart under the workload, likewise within 15 s.
 */
class ConfirmRuleIT {
    private static final Duration BOUND = Duration.ofSeconds(15);

    @Test
    void nothingIsConfirmedWhileKafkaIsDownAndConfirmingResumesWithin15sOfEachServiceBeingBack() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE public.work (id int PRIMARY KEY, v text)");
            String topic = env.topic("public", "work");
            try (var admin = TestEnv.kafka().admin()) {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                        .configs(Map.of("message.timestamp.type", "LogAppendTime", "max.message.bytes", "67108864"))))
                        .all().get();
            }
            Producer producer = env.start();
            Inserts workload = new Inserts(env, 0, false);
            ChangeRecordDecoder d = env.decoder();
            int total;
            long stopMillis;
            long restartMillis;
            Lsn confirmedBeforeOutage;
            Lsn maxConfirmedDuringOutage;
            try {
                // the outage must begin after the slot confirmed some transactions, or there is nothing to check below
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    long confirmed = env.slotConfirmed().asLong();
                    return env.readAll(topic).stream()
                            .filter(r -> Long.compareUnsigned(d.decode(r.value()).commitLsn(), confirmed) < 0)
                            .count() > 150;
                });
                confirmedBeforeOutage = env.slotConfirmed();

                Lsn beforeBroker = env.currentWalLsn();
                stopMillis = System.currentTimeMillis();
                TestEnv.kafka().stop();
                try {
                    int committedAtStop = workload.committed();
                    maxConfirmedDuringOutage = maxConfirmed(env, env.slotConfirmed(), Duration.ofSeconds(9));
                    // a table created while Kafka is down: its topic is made when the broker is back
                    env.sql("CREATE TABLE public.during (id int PRIMARY KEY)", "INSERT INTO during VALUES (1)");
                    maxConfirmedDuringOutage = maxConfirmed(env, maxConfirmedDuringOutage, Duration.ofSeconds(3));
                    Lsn walDuringOutage = env.currentWalLsn();
                    assertThat(workload.committed()).as("the workload kept committing during the outage").isGreaterThan(committedAtStop + 50);
                    assertThat(maxConfirmedDuringOutage).isLessThan(walDuringOutage);
                } finally {
                    TestEnv.kafka().startAgain(); // the later tests of this JVM share the broker
                }
                restartMillis = System.currentTimeMillis();
                long brokerMillis = millisUntilConfirmedPast(env, beforeBroker); // the workload writes on meanwhile
                assertThat(producer.isRunning()).as("producer still running after the broker outage").isTrue();
                System.out.printf("ConfirmRuleIT: slot confirmed past the pre-fault LSN %d ms after the broker was back%n", brokerMillis);
            } finally {
                total = workload.stop();
            }
            Lsn walEnd = env.currentWalLsn();
            await().atMost(Duration.ofSeconds(120)).until(() -> env.readAll(topic).stream()
                    .map(r -> HexFormat.of().formatHex(r.key())).distinct().count() >= total);
            await().atMost(Duration.ofSeconds(30)).until(() -> !env.slotConfirmed().isBefore(walEnd));

            // every transaction the slot confirmed during the outage had a record appended before the broker stopped
            Map<Long, Long> firstAppend = new HashMap<>();
            Map<Integer, Boolean> ids = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : env.readAll(topic)) {
                assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
                ChangeRecord c = d.decode(r.value());
                firstAppend.merge(c.commitLsn(), r.timestamp(), Math::min);
                ids.put((Integer) c.after().get("id"), true);
            }
            assertThat(ids).hasSize(total);
            long confirmedBound = maxConfirmedDuringOutage.asLong();
            long checked = firstAppend.entrySet().stream().filter(e -> Long.compareUnsigned(e.getKey(), confirmedBound) < 0)
                    .peek(e -> assertThat(e.getValue()).as("commit_lsn %s confirmed during the outage", Lsn.of(e.getKey()))
                            .isLessThan(stopMillis + 1000))
                    .count();
            assertThat(checked).isGreaterThan(100);
            long afterOutage = firstAppend.values().stream().filter(t -> t >= restartMillis).count();
            assertThat(afterOutage).as("transactions delivered after the broker came back").isGreaterThan(50);
            assertThat(confirmedBeforeOutage).isLessThanOrEqualTo(maxConfirmedDuringOutage);
            try (var admin = TestEnv.kafka().admin()) {
                assertThat(admin.listTopics().names().get()).contains(env.topic("public", "during"));
            }

            // a PostgreSQL restart under a workload that reconnects
            Inserts again = new Inserts(env, total, true);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> again.committed() > 100);
                Lsn beforePg = env.currentWalLsn();
                TestEnv.pg().restart();
                long pgMillis = millisUntilConfirmedPast(env, beforePg);
                assertThat(producer.isRunning()).as("producer still running after the PostgreSQL restart").isTrue();
                System.out.printf("ConfirmRuleIT: slot confirmed past the pre-fault LSN %d ms after PostgreSQL was back%n", pgMillis);
            } finally {
                again.stop();
            }
        }
    }

    /** The highest position the slot confirmed while it is watched for {@code length}, at least {@code max}. */
    private static Lsn maxConfirmed(TestEnv env, Lsn max, Duration length) throws Exception {
        long until = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < until) {
            Lsn c = env.slotConfirmed();
            if (c.isAfter(max)) {
                max = c;
            }
            Thread.sleep(100); // sampling interval of an observation, not synchronisation
        }
        return max;
    }

    /** Milliseconds from now (the service just came back) until the slot is confirmed past {@code lsn}; at most 15 s. */
    private static long millisUntilConfirmedPast(TestEnv env, Lsn lsn) {
        long t0 = System.nanoTime();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> env.slotConfirmed().isAfter(lsn));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Single-row inserts into public.work with ids after {@code firstId}, each its own transaction, until stopped. */
    private static final class Inserts {
        private final AtomicBoolean run = new AtomicBoolean(true);
        private final AtomicInteger committed = new AtomicInteger();
        private final Thread thread;
        private volatile RuntimeException failure;

        /** @param reconnect open a new session when one fails (across a PostgreSQL restart); else a failure ends the test */
        Inserts(TestEnv env, int firstId, boolean reconnect) {
            thread = new Thread(() -> {
                int i = firstId;
                while (run.get()) {
                    try (Connection c = env.connect(); Statement st = c.createStatement()) {
                        while (run.get()) {
                            st.execute("INSERT INTO work VALUES (" + (++i) + ", 'x')");
                            committed.incrementAndGet();
                            if (i % 20 == 0) {
                                st.execute("SELECT pg_sleep(0.01)"); // pacing: a steady workload, not a flood
                            }
                        }
                    } catch (Exception e) {
                        if (!reconnect) {
                            failure = new IllegalStateException("workload failed", e);
                            return;
                        }
                        pause();
                    }
                }
            }, "workload");
            thread.start();
        }

        int committed() {
            return committed.get();
        }

        /** Stops the workload; the number of rows it committed. */
        int stop() throws InterruptedException {
            run.set(false);
            thread.join();
            if (failure != null) {
                throw failure;
            }
            return committed.get();
        }

        private static void pause() {
            try {
                Thread.sleep(200); // a session failed while PostgreSQL restarts: try again a little later
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
