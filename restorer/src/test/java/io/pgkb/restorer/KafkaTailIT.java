package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.md5;
import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.SegmentRef;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §12 on the real chain: with the archiver stopped, the changes after it are only in Kafka; a restore with
 * --bootstrap-servers reaches them exactly, one without refuses, and records Kafka dropped that the archive lacks
 * are a gap, also after the archiver caught up.
 */
class KafkaTailIT {
    private static final TableId T = new TableId("public", "t");

    @Test
    void theTailInKafkaIsRestoredExactlyAndADroppedTailIsAGap() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            sql(src, "CREATE TABLE t (id int PRIMARY KEY, a int, b text, big text)",
                    "ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL",
                    "CREATE TABLE side (id serial PRIMARY KEY)",
                    "INSERT INTO t SELECT g, g, 'b' || g, repeat(md5(g::text), 200) FROM generate_series(1, 100) g");
            env.startProducer(2);
            env.startArchiver(20);
            env.dump(T);
            sql(src, "UPDATE t SET a = a + 1 WHERE id <= 30");
            Lsn a = ChainEnv.walLsn(src);
            String md5A = md5(src, T);
            sql(src, "INSERT INTO side DEFAULT VALUES");
            env.awaitRestorable("public.t=r.t", "--to-lsn", a.toString());
            env.stopArchiver();

            // only in Kafka from here: every kind of change
            sql(src, "INSERT INTO t SELECT g, g, 'n' || g, repeat(md5(g::text), 300) FROM generate_series(101, 150) g",
                    "UPDATE t SET a = a * 2 WHERE id % 3 = 0", // big unchanged TOAST
                    "DELETE FROM t WHERE id % 7 = 0",
                    "UPDATE t SET id = id + 10000, b = 'moved' WHERE id = 5", // key change carrying big unchanged
                    "TRUNCATE t",
                    "INSERT INTO t SELECT g, g, 'after truncate ' || g, repeat(md5((g * 7)::text), 250) FROM generate_series(1, 60) g",
                    "UPDATE t SET b = 'u' || id WHERE id % 2 = 0",
                    "UPDATE t SET id = -id WHERE id = 11",
                    "DELETE FROM t WHERE id BETWEEN 40 AND 45");
            Lsn b = ChainEnv.walLsn(src);
            String md5B = md5(src, T);
            sql(src, "INSERT INTO side DEFAULT VALUES"); // moves the producer's confirmed point past B
            String kafka = env.bootstrapServers();
            env.awaitRestorable("public.t=r.t", "--to-lsn", b.toString(), "--bootstrap-servers", kafka);

            // the archive alone cannot reach B, and its newest point is A's content
            assertThat(env.restoreTo("public.t=r.t", "--to-lsn", b.toString())).isEqualTo(3);
            assertThat(env.lastError).contains("beyond what the archive prove").contains("--bootstrap-servers");
            assertThat(env.restoreTo("public.t=r1.t", "--latest")).as(env.lastError).isZero();
            try (Connection tgt = env.target()) {
                assertThat(md5(tgt, new TableId("r1", "t"))).isEqualTo(md5A);
            }

            // with Kafka: exactly B, and --latest is B too (nothing changed t after it)
            assertThat(env.restoreTo("public.t=r2.t", "--to-lsn", b.toString(), "--bootstrap-servers", kafka)).as(env.lastError).isZero();
            assertThat(env.lastOutput).contains("from the archive").contains("from Kafka");
            assertThat(env.restoreTo("public.t=r3.t", "--latest", "--bootstrap-servers", kafka)).as(env.lastError).isZero();
            try (Connection tgt = env.target()) {
                assertThat(md5(tgt, new TableId("r2", "t"))).isEqualTo(md5B);
                assertThat(md5(tgt, new TableId("r3", "t"))).isEqualTo(md5B);
            }

            // list shows both ranges: the archive's ends before B, with Kafka after it
            String[] list = {"--store", env.storeDir.toString(), "--topic-prefix", env.prefix, "--tables", "public.t", "--bootstrap-servers", kafka};
            assertThat(env.list(list)).as(env.lastError).isZero();
            assertThat(env.lastOutput).contains("restorable with Kafka: .. ").contains("partition 0: archive 0-").doesNotContain("GAP");
            String[] json = Arrays.copyOf(list, list.length + 1);
            json[list.length] = "--json";
            assertThat(env.list(json)).isZero();
            var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(env.lastOutput).get("tables").get(0);
            assertThat(Lsn.parse(doc.get("restorable").get("to_lsn").asText()).compareTo(b)).isNegative();
            assertThat(Lsn.parse(doc.get("restorable_with_kafka").get("to_lsn").asText()).compareTo(b)).isPositive();

            // Kafka drops records the archive lacks: a gap naming table, partition and offsets
            ArchiveCatalog catalog = new ArchiveCatalog(env.store, new ArchiveLayout(env.prefix));
            Map<Integer, List<SegmentRef>> archived = catalog.segments(T);
            Admin admin = ChainEnv.kafka().admin();
            String topic = T.topic(env.prefix);
            TopicPartition tp = new TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
            long archivedEnd = archived.getOrDefault(0, List.of()).stream().mapToLong(SegmentRef::lastOffset).max().orElse(-1) + 1;
            assertThat(end).as("partition 0 has records only in Kafka").isGreaterThan(archivedEnd + 3);
            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(archivedEnd + 3))).all().get();
            String gap = "partition 0: offsets " + archivedEnd + "-" + (archivedEnd + 2) + " are missing from the archive";
            assertThat(env.restoreTo("public.t=r4.t", "--to-lsn", b.toString(), "--bootstrap-servers", kafka)).isEqualTo(3);
            assertThat(env.lastError).contains("public.t").contains(gap).contains("Kafka holds only offsets " + (archivedEnd + 3) + "-");

            assertThat(env.list(list)).isZero();
            assertThat(env.lastOutput).contains("partition 0: archive ").contains("GAP offsets " + archivedEnd + "-" + (archivedEnd + 2) + " in neither");

            // the archiver catches up with what Kafka still holds: the gap stays a gap
            env.startArchiver(20);
            await().atMost(Duration.ofSeconds(60)).until(() -> catalog.segments(T).getOrDefault(0, List.of()).stream()
                    .mapToLong(SegmentRef::lastOffset).max().orElse(-1) + 1 >= end);
            assertThat(env.restoreTo("public.t=r4.t", "--to-lsn", b.toString(), "--bootstrap-servers", kafka)).isEqualTo(3);
            assertThat(env.lastError).contains(gap);
            assertThat(env.restoreTo("public.t=r4.t", "--to-lsn", b.toString())).isEqualTo(3);
            assertThat(env.lastError).contains(gap);
            try (Connection tgt = env.target()) {
                assertThat(ChainEnv.one(tgt, "SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'pgkb_restore_%') + (to_regclass('r4.t') IS NOT NULL)::int"))
                        .isEqualTo("0");
            }
        }
    }
}
