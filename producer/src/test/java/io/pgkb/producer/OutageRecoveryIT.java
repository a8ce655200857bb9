package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.Lsn;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 §1: after a broker stop/start and after a PostgreSQL restart, with a workload running throughout, the
 * producer resumes by itself (it never stops) and the slot is confirmed past the WAL position of the moment of the
 * fault within 15 s of the service being back. Also a table created during the broker outage gets its topic.
 */
class OutageRecoveryIT {
    private static final Duration BOUND = Duration.ofSeconds(15);

    @Test
    void confirmsPastThePreFaultPositionWithin15sOfTheServiceBeingBack() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE public.work (id int PRIMARY KEY, v text)");
            Producer producer = env.start();
            AtomicBoolean run = new AtomicBoolean(true);
            AtomicInteger committed = new AtomicInteger();
            Thread workload = new Thread(() -> {
                int i = 0;
                while (run.get()) {
                    // reconnects across the PostgreSQL restart: a session that fails is opened again
                    try (Connection c = env.connect(); Statement st = c.createStatement()) {
                        while (run.get()) {
                            st.execute("INSERT INTO work VALUES (" + (++i) + ", 'x')");
                            committed.incrementAndGet();
                            st.execute("SELECT pg_sleep(0.005)");
                        }
                    } catch (Exception e) {
                        pause();
                    }
                }
            }, "workload");
            workload.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> committed.get() > 100
                        && env.slotConfirmed().isAfter(Lsn.ZERO));

                Lsn beforeBroker = env.currentWalLsn();
                TestEnv.kafka().stop();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    int c = committed.get();
                    return c > 0 && env.currentWalLsn().isAfter(beforeBroker);
                });
                // a table created while Kafka is down: its topic is made when the broker is back
                env.sql("CREATE TABLE public.during (id int PRIMARY KEY)", "INSERT INTO during VALUES (1)");
                pauseFor(Duration.ofSeconds(3)); // the outage: the producer's sends wait, nothing is confirmed
                TestEnv.kafka().startAgain();
                long brokerMillis = millisUntilConfirmedPast(env, beforeBroker);
                assertThat(producer.isRunning()).as("producer still running after the broker outage").isTrue();

                Lsn beforePg = env.currentWalLsn();
                TestEnv.pg().restart();
                long pgMillis = millisUntilConfirmedPast(env, beforePg);
                assertThat(producer.isRunning()).as("producer still running after the PostgreSQL restart").isTrue();
                System.out.printf("OutageRecoveryIT: slot confirmed past the pre-fault LSN %d ms after the broker, %d ms after PostgreSQL was back%n",
                        brokerMillis, pgMillis);
                try (var admin = TestEnv.kafka().admin()) {
                    assertThat(admin.listTopics().names().get()).contains(env.topic("public", "during"));
                }
            } finally {
                run.set(false);
                workload.join();
            }
        }
    }

    /** Milliseconds from now (the service just came back) until the slot is confirmed past {@code lsn}; at most 15 s. */
    private static long millisUntilConfirmedPast(TestEnv env, Lsn lsn) {
        long t0 = System.nanoTime();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> env.slotConfirmed().isAfter(lsn));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void pause() {
        pauseFor(Duration.ofMillis(200));
    }

    /** The length of an outage (not synchronisation: nothing waits for anything here). */
    private static void pauseFor(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
