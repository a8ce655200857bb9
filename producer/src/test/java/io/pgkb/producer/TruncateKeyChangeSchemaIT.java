package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.SingleObjectCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class TruncateKeyChangeSchemaIT {

    @Test
    void truncateKeyChangeSchemaChangeAndNewTable() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE TABLE public.acct (id int PRIMARY KEY, name text)",
                    "CREATE TABLE public.other (id int PRIMARY KEY)");
            Producer producer = env.start(env.config().toBuilder().partitions(3).build());
            String topic = env.topic("public", "acct");
            assertThat(env.partitions(topic)).isEqualTo(3);

            env.sql("INSERT INTO acct VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            // one transaction over two tables, then a primary-key change
            env.sql("BEGIN; INSERT INTO other VALUES (10); UPDATE acct SET id = 20, name = 'b2' WHERE id = 2; COMMIT");
            env.sql("TRUNCATE acct, other");
            env.sql("ALTER TABLE acct ADD COLUMN extra numeric(10,2)", "INSERT INTO acct VALUES (4, 'd', 1.50)");
            env.sql("ALTER TABLE acct DROP COLUMN name", "INSERT INTO acct VALUES (5, 2.25)");

            await().atMost(Duration.ofSeconds(60)).until(() -> env.readAll(topic).size() >= 3 + 2 + 3 + 1 + 1);
            List<ConsumerRecord<byte[], byte[]>> raw = env.readAll(topic);
            List<ChangeRecord> changes = env.changes(topic);

            // key change: DELETE old key + INSERT new row, same commit_lsn, consecutive seq (after other's INSERT = seq 0)
            ChangeRecord del = changes.stream().filter(c -> c.op() == Op.DELETE).findFirst().orElseThrow();
            ChangeRecord ins20 = changes.stream().filter(c -> c.op() == Op.INSERT && Integer.valueOf(20).equals(c.after().get("id")))
                    .findFirst().orElseThrow();
            assertThat(del.before().get("id")).isEqualTo(2);
            assertThat(del.commitLsn()).isEqualTo(ins20.commitLsn());
            assertThat(del.seq()).isEqualTo(1);
            assertThat(ins20.seq()).isEqualTo(2);
            assertThat(ins20.after().get("name")).isEqualTo("b2");
            assertThat(changes).noneMatch(c -> c.op() == Op.UPDATE);

            // TRUNCATE: one record in each of the 3 partitions, same commit_lsn and seq, null key
            List<ConsumerRecord<byte[], byte[]>> truncates = raw.stream()
                    .filter(r -> "TRUNCATE".equals(TestEnv.header(r, Headers.OP))).toList();
            assertThat(truncates).hasSize(3);
            assertThat(truncates.stream().map(ConsumerRecord::partition).collect(Collectors.toSet())).containsExactlyInAnyOrder(0, 1, 2);
            assertThat(truncates).allSatisfy(r -> assertThat(r.key()).isNull());
            assertThat(truncates.stream().map(r -> TestEnv.header(r, Headers.COMMIT_LSN) + "/" + TestEnv.header(r, Headers.SEQ))
                    .collect(Collectors.toSet())).hasSize(1);
            assertThat(TestEnv.header(truncates.get(0), Headers.SEQ)).isEqualTo("0");
            String otherTopic = env.topic("public", "other");
            await().atMost(Duration.ofSeconds(30)).until(() -> env.readAll(otherTopic).size() >= 2);
            ChangeRecord otherTruncate = env.changes(otherTopic).stream().filter(c -> c.op() == Op.TRUNCATE).findFirst().orElseThrow();
            ChangeRecord acctTruncate = changes.stream().filter(c -> c.op() == Op.TRUNCATE).findFirst().orElseThrow();
            assertThat(otherTruncate.commitLsn()).isEqualTo(acctTruncate.commitLsn());
            assertThat(Set.of(otherTruncate.seq(), acctTruncate.seq())).containsExactlyInAnyOrder(0L, 1L);

            // headers exactly as documented
            ConsumerRecord<byte[], byte[]> first = raw.stream().filter(r -> "INSERT".equals(TestEnv.header(r, Headers.OP))).findFirst().orElseThrow();
            Map<String, String> h = TestEnv.headers(first);
            assertThat(h).containsKeys(Headers.OP, Headers.TABLE, Headers.LSN, Headers.COMMIT_LSN, Headers.XID, Headers.SEQ);
            assertThat(h.get(Headers.TABLE)).isEqualTo("public.acct");
            Lsn.parse(h.get(Headers.LSN));
            Lsn.parse(h.get(Headers.COMMIT_LSN));
            assertThat(Long.parseLong(h.get(Headers.XID))).isPositive();
            assertThat(SingleObjectCodec.isSingleObject(first.key())).isTrue();

            // schema evolution: three versions, each with its own fingerprint, the new columns present
            ChangeRecord v2 = changes.stream().filter(c -> c.op() == Op.INSERT && Integer.valueOf(4).equals(c.after().get("id"))).findFirst().orElseThrow();
            ChangeRecord v3 = changes.stream().filter(c -> c.op() == Op.INSERT && Integer.valueOf(5).equals(c.after().get("id"))).findFirst().orElseThrow();
            assertThat(v2.afterText()).containsEntry("extra", "1.50").containsEntry("name", "d");
            assertThat(v3.afterText()).containsEntry("extra", "2.25").doesNotContainKey("name");
            Set<Long> fingerprints = raw.stream().filter(r -> "INSERT".equals(TestEnv.header(r, Headers.OP)))
                    .map(r -> SingleObjectCodec.fingerprintOf(r.value())).collect(Collectors.toSet());
            assertThat(fingerprints).hasSize(3);

            // a table created after start gets a topic; its rows (written once it is published) arrive. A restore's
            // work table (restored into this database) is never captured: it is renamed into place or dropped
            env.sql("CREATE TABLE public.pgkb_restore_0a1b2c3d (id bigint PRIMARY KEY)",
                    "CREATE TABLE public.later (id bigint PRIMARY KEY, v text)");
            String laterTopic = env.topic("public", "later");
            await().atMost(Duration.ofSeconds(30)).until(() -> env.topicExists(laterTopic));
            await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(env.queryOne(
                    "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'pgkb' AND tablename = 'later'")));
            assertThat(env.queryOne("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'pgkb' AND tablename LIKE 'pgkb_restore%'"))
                    .isEqualTo("0");
            assertThat(env.topicExists(env.topic("public", "pgkb_restore_0a1b2c3d"))).isFalse();
            env.sql("INSERT INTO later VALUES (1, 'x')");
            await().atMost(Duration.ofSeconds(30)).until(() -> env.readAll(laterTopic).size() == 1);
            assertThat(env.changes(laterTopic).get(0).afterText()).containsEntry("v", "x");
            assertThat(env.partitions(laterTopic)).isEqualTo(3);
            assertThat(producer.failure()).isNull();
        }
    }
}
