package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.md5;
import static io.pgkb.restorer.ChainEnv.one;
import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An existing target table is never overwritten without --replace, and a refused restore changes nothing. */
class SafetyIT {
    private static final TableId ITEMS = new TableId("public", "items");

    @Test
    void refusesAnExistingTargetWithoutReplaceAndSwapsWithIt() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source(); Connection tgt = env.target()) {
            sql(src, "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 100) g");
            env.startProducer(2);
            env.startArchiver(40);
            env.dump(ITEMS);
            for (int i = 0; i < 20; i++) {
                sql(src, "UPDATE items SET v = v || '.' WHERE id % 7 = " + (i % 7), "DELETE FROM items WHERE id = " + (i * 3 + 1),
                        "INSERT INTO items VALUES (" + (1000 + i) + ", 'new')");
            }
            Lsn t = ChainEnv.walLsn(src);
            String expected = md5(src, ITEMS);
            sql(src, "INSERT INTO items VALUES (5000, 'after the target point')");
            env.awaitRestorable("public.items", "--to-lsn", t.toString());

            sql(tgt, "CREATE TABLE items (id int PRIMARY KEY, v text)", "INSERT INTO items VALUES (1, 'precious')");
            String before = md5(tgt, ITEMS);

            assertThat(env.restoreTo("public.items", "--to-lsn", t.toString())).isEqualTo(2);
            assertThat(env.lastError).contains("public.items").contains("exists").contains("--replace");
            assertThat(md5(tgt, ITEMS)).isEqualTo(before);
            assertThat(one(tgt, "SELECT count(*) FROM pg_class WHERE relname LIKE 'pgkb_restore_%'")).isEqualTo("0");
            // the target is checked before (and while) the archive is planned: an existing target is what is reported,
            // also for a point the archive cannot restore (before the oldest dump)
            assertThat(env.restoreTo("public.items", "--to-lsn", "0/1")).isEqualTo(2);
            assertThat(env.lastError).contains("public.items").contains("exists").contains("--replace");
            assertThat(md5(tgt, ITEMS)).isEqualTo(before);

            assertThat(env.restoreTo("public.items", "--to-lsn", t.toString(), "--replace")).as(env.lastError).isZero();
            assertThat(md5(tgt, ITEMS)).isEqualTo(expected);
            assertThat(one(tgt, "SELECT count(*) FROM pg_class WHERE relname LIKE 'pgkb_restore_%'")).isEqualTo("0");

            // --latest reaches everything the source committed once the archive has caught up
            String now = md5(src, ITEMS);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> env.restoreTo("public.items=latest.items", "--latest", "--replace") == 0
                            && md5(tgt, new TableId("latest", "items")).equals(now));
        }
    }
}
