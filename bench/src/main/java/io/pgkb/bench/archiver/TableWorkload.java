package io.pgkb.bench.archiver;

import io.pgkb.bench.PgClientTools;
import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * Realistic change records made by pgkb's own producer: a pgbench database (schema from {@code pgbench -i -I dtp},
 * so {@code pgbench_accounts.filler} is the real blank-padded char(84); history gets REPLICA IDENTITY FULL because
 * it has no key) loaded and then driven by {@code pgbench -t}, plus an orders table (text, numeric, timestamptz,
 * jsonb) inserted and then updated. All of it is written before the producer starts (its slot already exists),
 * then the producer publishes the backlog and its rate is the new records in Kafka ÷ time from its start to the
 * confirmed end. A warm-up run before the workload creates the topics.
 */
final class TableWorkload {
    static final String DB = "archbench";
    private static final String SLOT = "prod";

    record Produced(long records, double seconds, String summary) {
        double rate() {
            return records / seconds;
        }
    }

    private TableWorkload() {
    }

    /** @param scale pgbench scale (100 000 accounts each); pgbench transactions and orders are derived from it */
    static Produced produce(LocalPostgres pg, LocalKafka kafka, String prefix, int scale, int partitions) throws Exception {
        pg.createDatabase(DB);
        run(pg, List.of("pgbench", "-i", "-I", "dtp", "-s", Integer.toString(scale), DB));
        int accounts = 100_000 * scale;
        int pgbenchTx = 5_000 * scale;
        int orders = 60_000 * scale;
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
            st.execute("""
                    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,
                      total numeric(12,2) NOT NULL, currency char(3) NOT NULL, created_at timestamptz NOT NULL,
                      updated_at timestamptz NOT NULL, shipping_address text, items jsonb NOT NULL, note text)""");
            st.execute("CREATE PUBLICATION pgkb FOR TABLE pgbench_accounts, pgbench_branches, pgbench_tellers,"
                    + " pgbench_history, orders WITH (publish_via_partition_root = true)");
            st.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
            // warm-up: one row per table through the producer, so the topics exist and have leaders before the
            // measured run (a fresh topic's first sends can be refused and retried, which is not what we measure)
            // (pgbench takes its scale from the branch count, so the warm-up rows are the first rows of the data)
            st.execute("INSERT INTO pgbench_branches VALUES (1, 0, '')");
            st.execute("INSERT INTO pgbench_tellers VALUES (1, 1, 0, '')");
            st.execute("INSERT INTO pgbench_accounts VALUES (1, 1, 0, '')");
            st.execute("INSERT INTO pgbench_history VALUES (1, 1, 1, 0, now(), '')");
            st.execute(ORDERS_INSERT.formatted(0, 0));
        }
        if (Boolean.parseBoolean(System.getProperty("warmup", "true"))) { // -Dwarmup=false: topics created inside the run
            publish(pg, cfg(pg, kafka, prefix, partitions));
        }
        long before = ArchiverBench.recordsIn(kafka, ArchiverBench.topicsOf(kafka, prefix));
        long w0 = System.nanoTime();
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            // pgbench -i's own data step, as INSERTs inside the stream: filler '' becomes 84 blanks
            st.execute("INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(2, " + scale + ") g");
            st.execute("INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0, '' FROM generate_series(2, " + 10 * scale + ") g");
            for (int i = 0; i < accounts; i += 10_000) {
                st.execute("INSERT INTO pgbench_accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series("
                        + Math.max(2, i + 1) + ", " + (i + 10_000) + ") g");
            }
            for (int i = 0; i < orders; i += 100) {
                st.execute(ORDERS_INSERT.formatted(i + 1, i + 100));
            }
            for (int i = 0; i < orders; i += 200) {
                // half the orders move on once: paid → shipped, updated_at changes, the rest of the row stays
                st.execute("UPDATE orders SET status = CASE status WHEN 'paid' THEN 'shipped' ELSE 'paid' END,"
                        + " updated_at = updated_at + interval '1 hour' WHERE id > " + i + " AND id <= " + (i + 100));
            }
        }
        run(pg, List.of("pgbench", "-n", "-c", "2", "-j", "2", "-t", Integer.toString(pgbenchTx / 2), DB));
        String summary = String.format("pgbench scale %d (%d accounts, %d tpcb-like transactions), %d orders inserted"
                + " and %d updated; workload written in %d s", scale, accounts, pgbenchTx, orders, orders / 2,
                (System.nanoTime() - w0) / 1_000_000_000);

        double seconds = publish(pg, cfg(pg, kafka, prefix, partitions));
        return new Produced(ArchiverBench.recordsIn(kafka, ArchiverBench.topicsOf(kafka, prefix)) - before, seconds, summary);
    }

    private static ProducerSettings cfg(LocalPostgres pg, LocalKafka kafka, String prefix, int partitions) {
        return ProducerSettings.builder(PgUrl.parse(pg.uri(DB)), kafka.bootstrapServers(), prefix).slot(SLOT).publication("pgkb")
                .partitions(partitions).build();
    }

    /** Runs a producer until the slot is confirmed up to the current WAL end; returns the seconds it took. */
    private static double publish(LocalPostgres pg, ProducerSettings cfg) throws Exception {
        Lsn end = walEnd(pg);
        long t0 = System.nanoTime();
        Producer p = new Producer(cfg);
        p.start();
        try {
            while (p.confirmedLsn().isBefore(end)) {
                if (p.failure() != null) {
                    throw p.failure();
                }
                Thread.sleep(20);
            }
        } finally {
            p.stop();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** 100 orders per transaction; items is a jsonb array of 1-4 lines with sku, quantity and price. */
    private static final String ORDERS_INSERT = """
            INSERT INTO orders
            SELECT g, 1 + (random() * 49999)::int, (ARRAY['new','paid','paid','paid'])[1 + (g %% 4)],
                   round((random() * 500)::numeric, 2), 'EUR', now() - (random() * interval '30 days'), now(),
                   (10 + (random() * 200)::int) || ' ' || (ARRAY['Main','Oak','Pine','Maple','Cedar','Elm'])[1 + (g %% 6)]
                     || ' Street, ' || (ARRAY['Berlin','Paris','Madrid','Rome','Vienna','Oslo','Lisbon'])[1 + (g %% 7)],
                   (SELECT jsonb_agg(jsonb_build_object('sku', 'SKU-' || (1000 + (random() * 8999)::int),
                            'qty', 1 + (random() * 4)::int, 'price', round((random() * 120)::numeric, 2)))
                      FROM generate_series(1, 1 + (g %% 4)) x),
                   CASE WHEN g %% 5 = 0 THEN 'leave at the door' END
            FROM generate_series(%d, %d) g""";

    private static Lsn walEnd(LocalPostgres pg) throws Exception {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private static void run(LocalPostgres pg, List<String> cmd) throws Exception {
        PgClientTools.run(pg, cmd);
    }
}
