package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgkb.producer.internal.ProgressWriter;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * _progress (CONFIRM offsets, MARK), identifiers that need escaping, a PostgreSQL restart under the producer, and a
 * lost slot: loud without --recreate-slot, a GAP record with it.
 */
class ProgressIT {
    @Test
    void progressMarksWeirdNamesRestartAndLostSlot() throws Exception {
        try (TestEnv env = new TestEnv()) {
            TableId weird = new TableId("Sch.ema ü", "We.ird \"Näme\" x");
            env.sql("CREATE SCHEMA \"Sch.ema ü\"", "CREATE TABLE " + weird.quoted() + " (id int PRIMARY KEY, \"Col ü\" text)");
            Producer producer = env.start();
            String topic = weird.topic(env.prefix);
            assertThat(topic).matches("[A-Za-z0-9._-]+");
            env.sql("INSERT INTO " + weird.quoted() + " VALUES (1, 'a'), (2, 'b')");
            env.sql("BEGIN; INSERT INTO " + weird.quoted() + " VALUES (3, 'c'); SELECT pg_logical_emit_message(true, 'pgkb.mark', 'before-migration'); COMMIT");
            await().atMost(Duration.ofSeconds(60)).until(() -> env.count(topic) == 3);
            List<ConsumerRecord<byte[], byte[]>> raw = env.readAll(topic);
            assertThat(raw).allSatisfy(r -> assertThat(TestEnv.header(r, Headers.TABLE)).isEqualTo("Sch.ema ü.We.ird \"Näme\" x"));
            List<ChangeRecord> changes = env.changes(topic);
            assertThat(changes.get(2).afterText()).containsEntry("Col ü", "c");
            long markTxnCommit = changes.get(2).commitLsn();

            await().atMost(Duration.ofSeconds(30)).until(() -> progress(env).stream().anyMatch(p -> "MARK".equals(p.get("kind").toString())));
            List<GenericRecord> progress = progress(env);
            GenericRecord mark = progress.stream().filter(p -> "MARK".equals(p.get("kind").toString())).findFirst().orElseThrow();
            assertThat(mark.get("mark").toString()).isEqualTo("before-migration");
            assertThat((Long) mark.get("mark_lsn")).isEqualTo(markTxnCommit);
            long maxNext = progress.stream().filter(p -> "CONFIRM".equals(p.get("kind").toString()))
                    .flatMap(p -> ((List<?>) p.get("offsets")).stream()).map(GenericRecord.class::cast)
                    .filter(o -> o.get("topic").toString().equals(topic))
                    .mapToLong(o -> (Long) o.get("next_offset")).max().orElse(-1);
            assertThat(maxNext).as("CONFIRM records carry the next offset of the table partition").isEqualTo(3);
            assertThat(progress.stream().filter(p -> "CONFIRM".equals(p.get("kind").toString()))
                    .mapToLong(p -> (Long) p.get("confirmed_lsn")).max().orElseThrow())
                    .isGreaterThan(markTxnCommit);

            // PostgreSQL restarts under the producer: it reconnects and continues from the slot
            TestEnv.pg().restart();
            env.sql("INSERT INTO " + weird.quoted() + " VALUES (4, 'd')");
            await().atMost(Duration.ofSeconds(90)).until(() -> env.count(topic) >= 4);
            assertThat(env.changes(topic).stream().map(c -> c.afterText().get("id"))).contains("4");
            assertThat(producer.failure()).isNull();
            producer.stop();

            // the slot disappears while _progress has history: loud, never silently recreated
            env.sql("SELECT pg_drop_replication_slot('" + env.slot + "')");
            assertThatThrownBy(env::start).isInstanceOf(PgkbException.FatalException.class)
                    .hasMessageContaining("replication slot " + env.slot + " is missing but " + env.prefix + "._progress has history")
                    .hasMessageContaining("--recreate-slot");
            Producer again = env.start(env.config().toBuilder().recreateSlot(true).build());
            List<GenericRecord> after = progress(env);
            GenericRecord gap = after.stream().filter(p -> "GAP".equals(p.get("kind").toString())).findFirst().orElseThrow();
            assertThat((Long) gap.get("from_lsn")).isGreaterThan(markTxnCommit);
            assertThat((Long) gap.get("confirmed_lsn")).isGreaterThan((Long) gap.get("from_lsn"));
            env.sql("INSERT INTO " + weird.quoted() + " VALUES (5, 'e')");
            await().atMost(Duration.ofSeconds(60)).until(() -> env.count(topic) >= 5);
            assertThat(again.failure()).isNull();
        }
    }

    private static List<GenericRecord> progress(TestEnv env) {
        List<GenericRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : env.readAll(env.prefix + "._progress")) {
            out.add(ProgressWriter.decode(r.value()));
        }
        return out;
    }
}
