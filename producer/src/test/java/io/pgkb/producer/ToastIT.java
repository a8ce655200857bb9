package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.Op;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToastIT {
    @Test
    void unchangedToastColumnIsNamedNeverNull() throws Exception {
        try (TestEnv env = new TestEnv()) {
            // random text does not compress below the TOAST threshold, so it is stored out of line
            env.sql("CREATE TABLE public.docs (id int PRIMARY KEY, title text, body text)");
            env.start();
            env.sql("INSERT INTO docs SELECT 1, 'first', string_agg(md5(i::text), '') FROM generate_series(1, 32768) i");
            env.sql("UPDATE docs SET title = 'second' WHERE id = 1");
            String topic = env.topic("public", "docs");
            await().atMost(Duration.ofSeconds(60)).until(() -> env.readAll(topic).size() == 2);
            List<ChangeRecord> changes = env.changes(topic);

            ChangeRecord insert = changes.get(0);
            assertThat(insert.op()).isEqualTo(Op.INSERT);
            assertThat((String) insert.after().get("body")).hasSize(32 * 32768);
            assertThat(insert.unchanged()).isEmpty();

            ChangeRecord update = changes.get(1);
            assertThat(update.op()).isEqualTo(Op.UPDATE);
            assertThat(update.after().get("title")).isEqualTo("second");
            assertThat(update.unchanged()).containsExactly("body");
            assertThat(env.queryOne("SELECT length(body) FROM docs")).isEqualTo(String.valueOf(32 * 32768));
        }
    }
}
