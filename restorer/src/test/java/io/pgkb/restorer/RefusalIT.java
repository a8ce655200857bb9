package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.SegmentRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restorer refuses (exit 3) and names the problem when the archive cannot prove completeness. */
class RefusalIT {
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

            assertThat(env.list("--store", env.storeDir.toString(), "--topic-prefix", env.prefix, "--json")).isZero();
            assertThat(env.lastOutput).contains("\"table\" : \"public.items\"").contains("\"restorable\"").contains("\"rows\" : 200");
            assertThat(env.list("--store", env.storeDir.toString(), "--topic-prefix", env.prefix)).isZero();
            assertThat(env.lastOutput).contains("public.items").contains("restorable: ");

            // a point before the oldest dump
            assertThat(env.restoreTo("public.items=r.items", "--to-lsn", beforeDump.toString())).isEqualTo(3);
            assertThat(env.lastError).contains("public.items").contains("before the oldest dump");

            ArchiveCatalog catalog = new ArchiveCatalog(env.store, new ArchiveLayout(env.prefix));
            List<SegmentRef> p0 = catalog.segments(ITEMS).values().stream().max(java.util.Comparator.comparingInt(List::size)).orElseThrow();
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

            // repaired, the same restore succeeds
            Files.write(file, original);
            assertThat(env.restoreTo("public.items=r.items", "--to-lsn", t.toString())).as(env.lastError).isZero();
        }
    }
}
