package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.SegmentRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restorer refuses (exit 3) and names the problem when the archive cannot prove completeness. */
class RefusalIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId ITEMS = new TableId("public", "items");

    @Test
    void missingSegmentCorruptSegmentAndPointBeforeTheOldestDumpAreRefused() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            sql(src, "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 200) g");
            env.startProducer(2);
            env.startArchiver(30);
            sql(src, "UPDATE items SET v = 'early' WHERE id = 1");
            Lsn beforeDump = ChainEnv.walLsn(src);
            sql(src, "UPDATE items SET v = 'early2' WHERE id = 2");
            env.dump(ITEMS);
            for (int i = 0; i < 300; i++) {
                sql(src, "UPDATE items SET v = v || 'x' WHERE id = " + (1 + i % 200));
            }
            Lsn t = ChainEnv.walLsn(src);
            sql(src, "INSERT INTO items VALUES (100000, 'moves progress past t')");
            env.awaitRestorable("public.items=r.items", "--to-lsn", t.toString());
            assertThat(env.verify("--store", env.storeDir.toString(), "--topic-prefix", env.prefix)).as(env.lastOutput).isZero();
            assertThat(env.verify("--store", env.storeDir.toString(), "--topic-prefix", env.prefix, "--json")).isZero();
            JsonNode sound = JSON.readTree(env.lastOutput);
            assertThat(sound.get("exit_code").asInt()).isZero();
            assertThat(sound.get("sound").asBoolean()).isTrue();
            assertThat(sound.get("tables").toString()).contains("\"public.items\"");
            assertThat(sound.get("problems")).isEmpty();

            assertThat(env.list("--store", env.storeDir.toString(), "--topic-prefix", env.prefix, "--json")).isZero();
            assertThat(env.lastOutput).contains("\"table\" : \"public.items\"").contains("\"restorable\"").contains("\"rows\" : 200");
            assertThat(env.list("--store", env.storeDir.toString(), "--topic-prefix", env.prefix)).isZero();
            assertThat(env.lastOutput).contains("public.items").contains("restorable: ");

            // a point before the oldest dump
            assertThat(env.restoreTo("public.items=r.items", "--to-lsn", beforeDump.toString())).isEqualTo(3);
            assertThat(env.lastError).contains("public.items").contains("before the oldest dump");

            ArchiveCatalog catalog = new ArchiveCatalog(env.store, new ArchiveLayout(env.prefix));
            List<SegmentRef> p0 = catalog.segments(ITEMS).values().stream().max(Comparator.comparingInt(List::size)).orElseThrow();
            assertThat(p0.size()).as("segments of the busiest partition").isGreaterThanOrEqualTo(2);
            SegmentRef victim = p0.get(p0.size() / 2);
            String partition = "partition " + victim.partition();
            Path file = env.storeDir.resolve(victim.key());
            byte[] original = Files.readAllBytes(file);

            // one segment deleted: a gap, named with its offsets
            Files.delete(file);
            assertThat(env.restoreTo("public.items=r.items", "--to-lsn", t.toString())).isEqualTo(3);
            String gap = victim.firstOffset() + "-" + victim.lastOffset();
            assertThat(env.lastError).contains("public.items").contains(partition).contains(gap).contains("missing");
            assertThat(env.verify("--store", env.storeDir.toString(), "--topic-prefix", env.prefix)).isEqualTo(3);
            assertThat(env.lastOutput).contains(partition).contains(gap);
            assertThat(env.verify("--store", env.storeDir.toString(), "--topic-prefix", env.prefix, "--json")).isEqualTo(3);
            JsonNode damaged = JSON.readTree(env.lastOutput);
            assertThat(damaged.get("exit_code").asInt()).isEqualTo(3);
            assertThat(damaged.get("sound").asBoolean()).isFalse();
            assertThat(damaged.get("problems").get(0).asText()).contains(partition).contains(gap);

            // one byte flipped: the object is named
            byte[] flipped = original.clone();
            flipped[flipped.length - 40] ^= 0x5A;
            Files.write(file, flipped);
            assertThat(env.restoreTo("public.items=r.items", "--to-lsn", t.toString())).isEqualTo(3);
            assertThat(env.lastError).contains(victim.key());
            assertThat(env.verify("--store", env.storeDir.toString(), "--topic-prefix", env.prefix)).isEqualTo(3);
            assertThat(env.lastOutput).contains(victim.key());

            // nothing was created in the target by the refused restores
            try (Connection tgt = env.target()) {
                assertThat(ChainEnv.one(tgt, "SELECT count(*) FROM pg_class WHERE relname LIKE 'pgkb_restore_%' OR relname = 'items'"))
                        .isEqualTo("0");
            }

            // repaired, the same restore succeeds; with --json its plan and result are one document on stdout
            Files.write(file, original);
            assertThat(env.restoreTo("public.items=r.items", "--to-lsn", t.toString(), "--json", "--dry-run")).as(env.lastError).isZero();
            JsonNode dry = JSON.readTree(env.lastOutput);
            assertThat(dry.get("target_lsn").asText()).isEqualTo(t.toString());
            assertThat(dry.at("/result/status").asText()).contains("dry run");
            assertThat(dry.at("/result/rows").asLong()).isZero();
            assertThat(env.restoreTo("public.items=r.items", "--to-lsn", t.toString(), "--json")).as(env.lastError).isZero();
            JsonNode done = JSON.readTree(env.lastOutput);
            assertThat(done.get("command").asText()).isEqualTo("restore");
            assertThat(done.get("exit_code").asInt()).isZero();
            assertThat(done.get("target_lsn").asText()).isEqualTo(t.toString());
            JsonNode table = done.get("tables").get(0);
            assertThat(table.get("table").asText()).isEqualTo("public.items");
            assertThat(table.get("target").asText()).isEqualTo("r.items");
            assertThat(table.at("/dump/rows").asLong()).isEqualTo(200);
            assertThat(table.get("segments").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(table.get("records").asLong()).isGreaterThanOrEqualTo(300);
            assertThat(table.get("partitions")).hasSize(2);
            assertThat(done.at("/result/status").asText()).isEqualTo("restored");
            assertThat(done.at("/result/rows").asLong()).as("dump rows loaded").isEqualTo(200);
            assertThat(done.at("/result/changes").asLong()).as("the 300 updates after the dump").isGreaterThanOrEqualTo(300);
            assertThat(done.at("/result/total_ms").asLong()).isGreaterThanOrEqualTo(done.at("/result/build_ms").asLong());
            try (Connection tgt = env.target()) {
                assertThat(ChainEnv.one(tgt, "SELECT count(*) FROM r.items")).isEqualTo("200");
            }
        }
    }
}
