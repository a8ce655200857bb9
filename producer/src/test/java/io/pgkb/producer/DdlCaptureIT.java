package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgkb.producer.internal.DdlCapture;
import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * DDL capture on the real server and broker: each captured DDL becomes one DDL record per partition of its table's
 * topic, in order with the table's changes; the event trigger never fails a user's DDL; require without the
 * privilege is a configuration error and auto records that capture is off.
 */
class DdlCaptureIT {
    @Test
    void capturedDdlBecomesOrderedRecordsAndNeverFailsTheDdl() throws Exception {
        try (TestEnv env = new TestEnv()) {
            TableId t = new TableId("public", "acct");
            env.sql("CREATE TABLE acct (id int PRIMARY KEY, qty int)", "CREATE TABLE other (id int PRIMARY KEY)");
            env.start(env.config().toBuilder().tables(List.of(t)).partitions(2)
                    .ddlCapture(ProducerSettings.DdlCaptureMode.REQUIRE).build());
            String topic = t.topic(env.prefix);
            env.sql("INSERT INTO acct VALUES (1, 5)",
                    "BEGIN; INSERT INTO acct VALUES (2, 6); ALTER TABLE acct ADD COLUMN c text DEFAULT 'x'; COMMIT",
                    "ALTER TABLE other ADD COLUMN z int", // not captured by this producer: no record
                    "ALTER TABLE acct DROP COLUMN c",      // sql_drop and ddl_command_end: one record
                    "ALTER TABLE acct RENAME COLUMN qty TO amount",
                    "SET session_replication_role = replica; CREATE INDEX acct_amount ON acct (amount); RESET session_replication_role",
                    "ALTER TABLE acct ALTER COLUMN amount TYPE bigint USING amount * 10");
            // a DDL in a transaction that fails afterwards: the DDL itself ran, nothing is published
            assertThatThrownBy(() -> env.sql("BEGIN; ALTER TABLE acct ADD COLUMN gone int; SELECT 1/0")).isInstanceOf(SQLException.class);
            env.sql("CREATE TABLE acct_tmp (id int)", "DROP TABLE acct_tmp", "CREATE TEMP TABLE scratch (id int)");
            // 1 insert + 1 insert + 5 DDL records, each DDL in both partitions
            await().atMost(Duration.ofSeconds(60)).until(() -> env.count(topic) >= 2 + 5 * 2);
            List<ConsumerRecord<byte[], byte[]>> all = env.readAll(topic);
            assertThat(all).hasSize(12);
            List<ConsumerRecord<byte[], byte[]>> ddl = all.stream().filter(r -> "DDL".equals(TestEnv.header(r, Headers.OP))).toList();
            assertThat(ddl).hasSize(10).allSatisfy(r -> {
                assertThat(r.key()).isNull();
                assertThat(SingleObjectCodec.fingerprintOf(r.value())).isEqualTo(DdlEvent.FINGERPRINT);
                assertThat(TestEnv.header(r, Headers.TABLE)).isEqualTo("public.acct");
            });
            assertThat(ddl.stream().map(ConsumerRecord::partition).distinct()).containsExactlyInAnyOrder(0, 1);
            List<DdlEvent> events = ddl.stream().filter(r -> r.partition() == 0)
                    .map(r -> DdlEvent.decode(r.value(), env.decoder().resolver()))
                    .sorted(Comparator.comparingLong(DdlEvent::commitLsn)).toList();
            assertThat(events).extracting(DdlEvent::commandTag)
                    .containsExactly("ALTER TABLE", "ALTER TABLE", "ALTER TABLE", "CREATE INDEX", "ALTER TABLE");
            DdlEvent add = events.get(0);
            assertThat(add.columns()).extracting(DdlEvent.Column::name).containsExactly("id", "qty", "c");
            assertThat(add.columns().get(2).missing()).isEqualTo("x");
            assertThat(add.columns().get(2).type()).isEqualTo("text");
            assertThat(add.rewrite()).isFalse();
            assertThat(io.pgkb.schemas.ddl.TableDefinition.fromJson(add.definition()).toJson()).contains("\"c\"").contains("'x'");
            assertThat(add.query()).contains("ADD COLUMN c text DEFAULT 'x'");
            // the DDL is ordered after the insert of its own transaction
            ConsumerRecord<byte[], byte[]> insert2 = all.stream().filter(r -> "INSERT".equals(TestEnv.header(r, Headers.OP))
                    && TestEnv.header(r, Headers.COMMIT_LSN).equals(TestEnv.header(ddl.get(0), Headers.COMMIT_LSN))).findFirst().orElseThrow();
            assertThat(add.seq()).isGreaterThan(Long.parseLong(TestEnv.header(insert2, Headers.SEQ)));
            assertThat(events.get(1).columns()).extracting(DdlEvent.Column::name).containsExactly("id", "qty");
            assertThat(events.get(2).columns()).extracting(DdlEvent.Column::attnum, DdlEvent.Column::name)
                    .contains(org.assertj.core.groups.Tuple.tuple(2, "amount"));
            assertThat(events.get(3).rewrite()).isFalse();
            assertThat(events.get(4).rewrite()).isTrue();
            assertThat(events.get(4).columns().get(1).type()).isEqualTo("bigint");

            env.sql("DROP TABLE acct");
            await().atMost(Duration.ofSeconds(60)).until(() -> env.count(topic) >= 14);
            DdlEvent drop = DdlEvent.decode(env.readAll(topic).get(env.readAll(topic).size() - 1).value(), null);
            assertThat(drop.dropped()).isTrue();
            assertThat(drop.commandTag()).isEqualTo("DROP TABLE");
            assertThat(progressCapture(env)).isEqualTo("on");
        }
    }

    @Test
    void withoutThePrivilegeRequireIsRefusedAndAutoRecordsCaptureOff() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("DO $$ BEGIN CREATE ROLE pgkb_plain LOGIN REPLICATION PASSWORD 'plain'; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "GRANT CREATE ON DATABASE " + env.db + " TO pgkb_plain",
                    "CREATE TABLE acct (id int PRIMARY KEY)", "ALTER TABLE acct OWNER TO pgkb_plain");
            PgUrl plain = PgUrl.parse("postgresql://pgkb_plain:plain@" + TestEnv.pg().host() + ":" + TestEnv.pg().port() + "/" + env.db);
            ProducerSettings config = ProducerSettings.builder(plain, env.config().bootstrapServers(), env.prefix).slot(env.slot)
                    .refreshInterval(Duration.ofSeconds(1)).ddlCapture(ProducerSettings.DdlCaptureMode.REQUIRE).build();
            assertThatThrownBy(() -> env.start(config)).isInstanceOf(PgkbException.ConfigException.class)
                    .hasMessageContaining("DDL capture is not possible")
                    .hasMessageContaining("--print-ddl-capture-sql");
            assertThat(env.queryOne("SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'pgkb_ddl_%'")).isEqualTo("0");
            env.start(config.toBuilder().ddlCapture(ProducerSettings.DdlCaptureMode.AUTO).build());
            env.sql("INSERT INTO acct VALUES (1)");
            await().atMost(Duration.ofSeconds(60)).until(() -> "off".equals(progressCapture(env)));
        }
    }

    @Test
    void theInstallScriptIsRepeatableAndSharedByEveryProducer() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql(DdlCapture.installSql(), DdlCapture.installSql());
            assertThat(env.queryOne("SELECT string_agg(evtname || ':' || evtenabled::text, ',' ORDER BY evtname) FROM pg_event_trigger"
                    + " WHERE evtname LIKE 'pgkb_ddl_%'"))
                    .isEqualTo("pgkb_ddl_ddl_command_end:A,pgkb_ddl_sql_drop:A,pgkb_ddl_table_rewrite:A");
        }
    }

    /** The DDL-capture header of the newest progress record, or null. */
    private static String progressCapture(TestEnv env) {
        List<ConsumerRecord<byte[], byte[]>> p = env.readAll(env.prefix + "._progress");
        return p.isEmpty() ? null : TestEnv.header(p.get(p.size() - 1), Headers.DDL_CAPTURE);
    }
}
