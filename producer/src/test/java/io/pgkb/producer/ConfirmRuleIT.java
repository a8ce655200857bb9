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
 * Invariant 1 with a broker outage: while Kafka is down the workload goes on, and the slot never confirms a position
 * past a transaction whose records Kafka had not acknowledged. Proof by the broker's own clock: the table topic uses
 * LogAppendTime, so every transaction with commit_lsn below the confirmed position must have a record appended
 * before the broker was stopped. After the broker returns, everything arrives and confirmation resumes.
 */
class ConfirmRuleIT {
    @Test
    void nothingIsConfirmedWhileKafkaIsDown() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE public.work (id int PRIMARY KEY, v text)");
            String topic = env.topic("public", "work");
            try (var admin = TestEnv.kafka().admin()) {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                        .configs(Map.of("message.timestamp.type", "LogAppendTime", "max.message.bytes", "67108864"))))
                        .all().get();
            }
            env.start();
            AtomicBoolean run = new AtomicBoolean(true);
            AtomicInteger committed = new AtomicInteger();
            Thread workload = new Thread(() -> {
                try (Connection c = env.connect(); Statement st = c.createStatement()) {
                    int i = 0;
                    while (run.get()) {
                        st.execute("INSERT INTO work VALUES (" + (++i) + ", 'x')");
                        committed.set(i);
                        Thread.onSpinWait();
                        if (i % 20 == 0) {
                            st.execute("SELECT pg_sleep(0.01)");
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "workload");
            workload.start();
            ChangeRecordDecoder d = env.decoder();
            // the outage must begin after the slot confirmed some transactions, or there is nothing to check below
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                long confirmed = env.slotConfirmed().asLong();
                return env.readAll(topic).stream()
                        .filter(r -> Long.compareUnsigned(d.decode(r.value()).commitLsn(), confirmed) < 0)
                        .count() > 150;
            });
            Lsn confirmedBeforeOutage = env.slotConfirmed();

            long stopMillis = System.currentTimeMillis();
            TestEnv.kafka().stop();
            int committedAtStop = committed.get();
            Lsn maxConfirmedDuringOutage = env.slotConfirmed();
            long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
            while (System.nanoTime() < until) {
                Lsn c = env.slotConfirmed();
                if (c.isAfter(maxConfirmedDuringOutage)) {
                    maxConfirmedDuringOutage = c;
                }
                Thread.sleep(100); // sampling interval of an observation, not synchronisation
            }
            Lsn walDuringOutage = env.currentWalLsn();
            assertThat(committed.get()).as("the workload kept committing during the outage").isGreaterThan(committedAtStop + 50);
            assertThat(maxConfirmedDuringOutage).isLessThan(walDuringOutage);

            TestEnv.kafka().startAgain();
            long restartMillis = System.currentTimeMillis();
            Thread.sleep(2000); // let the workload write some more after the broker is back
            run.set(false);
            workload.join();
            int total = committed.get();
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
        }
    }
}
