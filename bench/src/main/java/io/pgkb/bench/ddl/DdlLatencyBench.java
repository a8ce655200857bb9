package io.pgkb.bench.ddl;

import io.pgkb.producer.DdlCaptureScript;
import io.pgkb.testkit.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;

/**
 * DDL latency with pgkb's DDL-capture event trigger ÷ without (docs/benchmarks.md): {@code ALTER TABLE … ADD COLUMN
 * … DEFAULT 1} on a published table of {@code --rows} rows, {@code --ops} statements per round, rounds alternating
 * between the triggers disabled and enabled ALWAYS (so drift of the machine hits both), each round on a fresh table;
 * each timed ADD is followed by an untimed DROP of the column, so every timed statement sees a 3-column table.
 * Prints the median and mean per statement of each mode and their ratio.
 *
 * <p>Arguments: {@code [--rounds N] [--ops N] [--rows N] [--pg JDBC-URL]}; without --pg an embedded PostgreSQL 17.
 */
public final class DdlLatencyBench {
    private DdlLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 10;
        int ops = 100;
        int rows = 10_000;
        String url = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--pg" -> url = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (use --rounds --ops --rows --pg)");
            }
        }
        LocalPostgres local = null;
        Connection c;
        if (url == null) {
            local = LocalPostgres.start();
            local.createDatabaseIfMissing("ddlbench");
            c = local.connect("ddlbench");
        } else {
            c = DriverManager.getConnection(url);
        }
        try (c; Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute(DdlCaptureScript.installSql());
            long[][] nanos = {new long[rounds / 2 * ops], new long[rounds / 2 * ops]};
            int[] n = {0, 0};
            for (int r = 0; r < rounds / 2 * 2; r++) {
                int mode = r % 2; // 0: without, 1: with the trigger
                for (String ev : new String[] {"ddl_command_end", "table_rewrite", "sql_drop"}) {
                    st.execute("ALTER EVENT TRIGGER pgkb_ddl_" + ev + (mode == 1 ? " ENABLE ALWAYS" : " DISABLE"));
                }
                st.execute("DROP PUBLICATION IF EXISTS ddlbench");
                st.execute("DROP TABLE IF EXISTS ddlbench_t");
                st.execute("CREATE TABLE ddlbench_t (id int PRIMARY KEY, v text)");
                st.execute("INSERT INTO ddlbench_t SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") g");
                st.execute("CREATE PUBLICATION ddlbench FOR TABLE ddlbench_t");
                for (int i = 0; i < ops; i++) {
                    long t0 = System.nanoTime();
                    st.execute("ALTER TABLE ddlbench_t ADD COLUMN c" + i + " int DEFAULT 1");
                    nanos[mode][n[mode]++] = System.nanoTime() - t0;
                    // untimed: the table keeps its 3 live columns, so every timed statement sees the same table
                    st.execute("ALTER TABLE ddlbench_t DROP COLUMN c" + i);
                }
            }
            st.execute("DROP PUBLICATION IF EXISTS ddlbench");
            st.execute("DROP TABLE IF EXISTS ddlbench_t");
            double without = median(nanos[0]) / 1e6;
            double with = median(nanos[1]) / 1e6;
            System.out.printf("ALTER TABLE ADD COLUMN, %d rows, %d statements per mode: without trigger median %.3f ms "
                            + "(mean %.3f), with trigger median %.3f ms (mean %.3f); ratio %.2f (median), %.2f (mean)%n",
                    rows, nanos[0].length, without, mean(nanos[0]) / 1e6, with, mean(nanos[1]) / 1e6, with / without,
                    mean(nanos[1]) / mean(nanos[0]));
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private static double mean(long[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}
