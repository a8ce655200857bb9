package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.md5;
import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * The first batch merged into the dump's COPY (docs/restorer.md, "How a restore works" 5): a key of two columns,
 * neither first, text with tab, newline and backslash; patches leaving a TOAST column unchanged; primary-key changes
 * carrying it, from rows before and after the new key's row in the dump, into keys the dump holds and chained; rows
 * replaced, deleted, inserted. Restored once with everything in the merged batch and once with tiny batches (the
 * merged first one, the rest set-wise): both equal the source.
 */
class MergedLoadIT {
    private static final TableId M = new TableId("public", "m");

    @Test
    void theFirstBatchMergedIntoTheDumpLoadGivesTheSourcesRows() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source(); Connection tgt = env.target()) {
            sql(src, "CREATE TABLE m (v text, k2 int, big text, k1 text, PRIMARY KEY (k1, k2))",
                    // big: ~22 kB of md5 hex, stored out of line, so updates that do not set it send it as unchanged
                    "INSERT INTO m SELECT 'v' || g, g, (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 700) i), "
                            + "CASE g % 3 WHEN 0 THEN E'tab\\there' WHEN 1 THEN E'back\\\\slash\\nline' ELSE 'plain' END "
                            + "FROM generate_series(1, 60) g");
            env.startProducer(2);
            env.startArchiver(20);
            env.dump(M);
            // first the changes the smallest first batch must hold: a TOAST-keeping patch and key changes
            sql(src, "UPDATE m SET v = 'patched' WHERE k2 = 1",
                    "UPDATE m SET k2 = k2 + 1000 WHERE k2 = 2",
                    // into a key the dump holds, from a row after it (6) and from a row before it (9)
                    "DELETE FROM m WHERE k2 = 3", "UPDATE m SET k2 = 3, v = 'moved from 6' WHERE k2 = 6",
                    "DELETE FROM m WHERE k2 = 15", "UPDATE m SET k2 = 15 WHERE k2 = 9",
                    // a key change, then a patch of the new key, then another key change of a moved row
                    "UPDATE m SET v = 'x', k2 = k2 + 2000 WHERE k2 = 5", "UPDATE m SET v = 'y' WHERE k2 = 2005",
                    "UPDATE m SET k2 = 3000 WHERE k2 = 1002",
                    "UPDATE m SET big = 'small now' WHERE k2 = 7",
                    "INSERT INTO m VALUES ('new', 5000, 'nb', E'new\\\\key\\t')",
                    "DELETE FROM m WHERE k2 = 8",
                    "UPDATE m SET v = NULL WHERE k2 = 10",
                    "UPDATE m SET v = v || E'+\\t' WHERE k2 BETWEEN 20 AND 40",
                    "UPDATE m SET k1 = k1 || '!' WHERE k2 BETWEEN 30 AND 35");
            Lsn t = ChainEnv.walLsn(src);
            String expected = md5(src, M);
            sql(src, "DELETE FROM m WHERE k2 = 11");
            env.awaitRestorable("public.m", "--to-lsn", t.toString());

            double merged = counter("pgkb_restorer_changes_merged");
            assertThat(env.restoreTo("public.m=one.m", "--to-lsn", t.toString())).as(env.lastError).isZero();
            assertThat(md5(tgt, new TableId("one", "m"))).isEqualTo(expected);
            assertThat(counter("pgkb_restorer_changes_merged")).as("every change merged into the load").isGreaterThan(merged + 20);

            assertThat(env.restoreTo("public.m=two.m", "--to-lsn", t.toString(), "--batch-keys", "2")).as(env.lastError).isZero();
            assertThat(md5(tgt, new TableId("two", "m"))).isEqualTo(expected);
        }
    }

    private static double counter(String name) {
        for (MetricSnapshot s : PrometheusRegistry.defaultRegistry.scrape()) {
            if (s instanceof CounterSnapshot c && c.getMetadata().getName().equals(name)) {
                return c.getDataPoints().stream().mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
        }
        return 0;
    }
}
