package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.Lsn;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A transaction larger than logical_decoding_work_mem: the slot is confirmed past it only once all of it is in Kafka. */
class BigTransactionIT {
    @Test
    void confirmedPastABigTransactionOnlyWhenAllOfItIsInKafka() throws Exception {
        int rows = 300_000;
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE public.big (id bigint PRIMARY KEY, b text)");
            env.start();
            String topic = env.topic("public", "big");
            env.sql("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") g");
            Lsn end = env.currentWalLsn();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> !env.slotConfirmed().isBefore(end));
            assertThat(env.count(topic)).as("records in Kafka when the slot was confirmed past the transaction").isEqualTo(rows);
        }
    }
}
