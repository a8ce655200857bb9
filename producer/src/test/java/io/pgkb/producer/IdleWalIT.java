package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** WAL written only to unpublished tables must not pile up behind the slot (DESIGN §10). */
class IdleWalIT {
    @Test
    void slotFollowsTheWalEndWhenNothingPublishedChanges() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE public.captured (id int PRIMARY KEY)",
                    "CREATE TABLE public.ignored (id int PRIMARY KEY, pad text)");
            env.start(env.config().toBuilder().tables(List.of(new TableId("public", "captured"))).build());
            Lsn before = env.currentWalLsn();
            for (int i = 0; i < 8; i++) {
                env.sql("INSERT INTO ignored SELECT g, repeat(md5(g::text), 32) FROM generate_series(" + (i * 10_000 + 1)
                        + ", " + ((i + 1) * 10_000) + ") g");
            }
            Lsn after = env.currentWalLsn();
            assertThat(after.asLong() - before.asLong()).as("WAL written").isGreaterThan(64L << 20);
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                    env.currentWalLsn().asLong() - env.slotConfirmed().asLong() < (1L << 20));
            System.out.printf("slot caught up with the WAL end %d ms after %d MB of unpublished writes%n",
                    (System.nanoTime() - t0) / 1_000_000, (after.asLong() - before.asLong()) >> 20);
            assertThat(env.slotConfirmed().asLong()).isGreaterThanOrEqualTo(after.asLong() - (1L << 20));
        }
    }
}
