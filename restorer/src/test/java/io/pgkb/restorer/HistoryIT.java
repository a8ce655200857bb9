package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.restorer.internal.History;
import io.pgkb.restorer.internal.HistoryRun;
import io.pgkb.restorer.internal.KafkaTail;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.SegmentRef;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * {@code pgkb history} on the real chain (DESIGN §12): the history of one key through updates of different columns,
 * a large TOAST value left unchanged, delete and re-insert and a key change equals the sequence written, half of it
 * read from the archive and half from Kafka with the archiver stopped; a range Kafka dropped is refused.
 */
class HistoryIT {
    private static final TableId H = new TableId("public", "h");

    /** What one printed change must say: op, key id, changed columns, and a, b, the length and head of big after it. */
    record Expected(String op, int id, List<String> changed, String a, String b, String big) {
    }

    @Test
    void historyOfAKeyIsTheSequenceWrittenAndADroppedRangeIsRefused() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            String big1 = "big1:" + "x".repeat(6000);
            String big2 = "big2:" + "y".repeat(7000);
            String big3 = "big3:" + "z".repeat(8000);
            sql(src, "CREATE TABLE h (id int PRIMARY KEY, a int, b text, big text)",
                    "ALTER TABLE h ALTER COLUMN big SET STORAGE EXTERNAL",
                    "CREATE TABLE side (id serial PRIMARY KEY)",
                    "INSERT INTO h SELECT g, g, 'b' || g, 'other' || repeat('o', 3000) FROM generate_series(1, 20) g",
                    "UPDATE h SET big = '" + big1 + "' WHERE id = 1");
            env.startProducer(2);
            env.startArchiver(5);
            env.dump(H);
            // every partition written before the dump the history starts from: a key's partition is then provable
            sql(src, "UPDATE h SET b = b || '' WHERE id > 2");
            Lsn spread = ChainEnv.walLsn(src);
            sql(src, "INSERT INTO side DEFAULT VALUES");
            env.awaitRestorable("public.h=r.h", "--to-lsn", spread.toString());
            env.dump(H);
            sql(src, "UPDATE h SET a = 100 WHERE id = 1"); // after the dump, before --from: state, not printed
            Lsn from = ChainEnv.walLsn(src);
            List<String> all = new ArrayList<>();
            List<Expected> want = new ArrayList<>();
            sql(src, "UPDATE h SET a = 101 WHERE id = 1");
            want.add(new Expected("UPDATE", 1, List.of("a"), "101", "b1", big1));
            sql(src, "UPDATE h SET a = a + 1 WHERE id = 2");
            sql(src, "UPDATE h SET b = 'x' WHERE id = 1");
            want.add(new Expected("UPDATE", 1, List.of("b"), "101", "x", big1));
            sql(src, "UPDATE h SET big = '" + big2 + "' WHERE id = 1");
            want.add(new Expected("UPDATE", 1, List.of("big"), "101", "x", big2));
            sql(src, "UPDATE h SET a = 102 WHERE id = 1");
            want.add(new Expected("UPDATE", 1, List.of("a"), "102", "x", big2));
            Lsn archived = ChainEnv.walLsn(src);
            sql(src, "INSERT INTO side DEFAULT VALUES");
            env.awaitRestorable("public.h=r.h", "--to-lsn", archived.toString());
            env.stopArchiver();
            // only in Kafka from here
            sql(src, "UPDATE h SET a = a + 1 WHERE id = 2");
            sql(src, "DELETE FROM h WHERE id = 1");
            want.add(new Expected("DELETE", 1, List.of("id", "a", "b", "big"), null, null, null));
            sql(src, "INSERT INTO h VALUES (1, 7, 'again', '" + big3 + "')");
            want.add(new Expected("INSERT", 1, List.of("id", "a", "b", "big"), "7", "again", big3));
            sql(src, "UPDATE h SET id = 1001 WHERE id = 1"); // key change: DELETE 1 + INSERT 1001, big unchanged TOAST
            want.add(new Expected("DELETE", 1, List.of("id", "a", "b", "big"), null, null, null));
            want.add(new Expected("INSERT", 1001, List.of("id", "a", "b", "big"), "7", "again", big3));
            sql(src, "UPDATE h SET a = 8 WHERE id = 1001");
            want.add(new Expected("UPDATE", 1001, List.of("a"), "8", "again", big3));
            sql(src, "UPDATE h SET a = a + 1 WHERE id = 2");
            Lsn to = ChainEnv.walLsn(src);
            sql(src, "INSERT INTO side DEFAULT VALUES");
            String kafka = env.bootstrapServers();
            env.awaitRestorable("public.h=r.h", "--to-lsn", to.toString(), "--bootstrap-servers", kafka);
            String[] base = {"--store", env.storeDir.toString(), "--topic-prefix", env.prefix, "--table", "public.h",
                    "--from-lsn", from.toString(), "--to-lsn", to.toString()};

            // the archive alone cannot prove the interval
            assertThat(env.history(with(base, "--key", "{\"id\":1}"))).isEqualTo(3);
            assertThat(env.lastError).contains("beyond what the archive prove");

            assertThat(env.history(with(base, "--key", "{\"id\":1}", "--bootstrap-servers", kafka))).as(env.lastError).isZero();
            List<JsonNode> got = lines(env.lastOutput);
            assertThat(got).hasSize(want.size());
            String before = null;
            for (int i = 0; i < want.size(); i++) {
                Expected w = want.get(i);
                JsonNode g = got.get(i);
                String at = "change " + i + ": " + g;
                assertThat(g.get("op").asText()).as(at).isEqualTo(w.op());
                assertThat(g.get("key").get("id").asText()).as(at).isEqualTo(Integer.toString(w.id()));
                assertThat(names(g.get("changed"))).as(at).isEqualTo(w.changed());
                assertThat(g.get("xid").asLong()).as(at).isPositive();
                assertThat(g.get("commit_time").asText()).as(at).endsWith("Z");
                if (w.op().equals("DELETE")) {
                    assertThat(g.get("after").isNull()).as(at).isTrue();
                    assertThat(g.get("before").get("big").asText()).as(at).isEqualTo(before);
                } else {
                    JsonNode after = g.get("after");
                    assertThat(after.get("a").asText()).as(at).isEqualTo(w.a());
                    assertThat(after.get("b").asText()).as(at).isEqualTo(w.b());
                    assertThat(after.get("big").asText()).as(at).isEqualTo(w.big());
                    before = w.big();
                }
            }
            // the first printed change knows the row as it was at --from (a = 100 from the fold, big from the dump)
            assertThat(got.get(0).get("before").get("a").asText()).isEqualTo("100");
            assertThat(got.get(0).get("before").get("big").asText()).isEqualTo(big1);

            // the whole table: every row change after --from, the other key's too
            assertThat(env.history(with(base, "--bootstrap-servers", kafka))).as(env.lastError).isZero();
            assertThat(lines(env.lastOutput)).hasSize(want.size() + 3);
            assertThat(env.history(with(base, "--bootstrap-servers", kafka, "--key", "{\"id\":2}", "--format", "table"))).isZero();
            assertThat(env.lastOutput.lines().toList()).hasSize(4).first().asString().startsWith("commit_lsn");
            assertThat(env.lastOutput).contains("a: 3 -> 4");
            // a key never deleted in the range is read from its partition only (Kafka's murmur2 of the key bytes)
            try (KafkaTail tail = new KafkaTail(kafka, new Properties(), env.prefix)) {
                List<History.Entry> two = new ArrayList<>();
                HistoryRun.Stats stats = new HistoryRun(env.store, tail, env.prefix).run(H, Map.of("id", "2"),
                        new RestoreTargetSpec(from.toString(), null, null, false), new RestoreTargetSpec(to.toString(), null, null, false), two::add);
                assertThat(stats.partitions()).isEqualTo(1);
                assertThat(two).extracting(e -> e.after().get("a")).containsExactly("3", "4", "5");
                // the key deleted in the range is read from all partitions: its key change went elsewhere
                List<History.Entry> one = new ArrayList<>();
                stats = new HistoryRun(env.store, tail, env.prefix).run(H, Map.of("id", "1"),
                        new RestoreTargetSpec(from.toString(), null, null, false), new RestoreTargetSpec(to.toString(), null, null, false), one::add);
                assertThat(stats.partitions()).isEqualTo(2);
                assertThat(one).hasSize(want.size());
            }

            // Kafka drops records the archive lacks: refused, naming them
            ArchiveCatalog catalog = new ArchiveCatalog(env.store, new ArchiveLayout(env.prefix));
            Admin admin = ChainEnv.kafka().admin();
            String topic = H.topic(env.prefix);
            String gap = null;
            for (int p = 0; p < 2 && gap == null; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
                long archivedEnd = catalog.segments(H).getOrDefault(p, List.of()).stream().mapToLong(SegmentRef::lastOffset).max().orElse(-1) + 1;
                if (end > archivedEnd) {
                    admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(archivedEnd + 1))).all().get();
                    gap = "partition " + p + ": offsets " + archivedEnd + " are missing from the archive";
                }
            }
            assertThat(gap).as("a partition has records only in Kafka").isNotNull();
            assertThat(env.history(with(base, "--bootstrap-servers", kafka))).isEqualTo(3);
            assertThat(env.lastError).contains("public.h").contains(gap);
            assertThat(env.lastOutput).isEmpty();
        }
    }

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static List<JsonNode> lines(String text) throws Exception {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String l : text.lines().toList()) {
            out.add(m.readTree(l));
        }
        return out;
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
