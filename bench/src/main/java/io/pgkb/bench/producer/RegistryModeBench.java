package io.pgkb.bench.producer;

import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.pgkb.testkit.LocalRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Producer rows/s in registry mode (DESIGN §14) ÷ native mode, same JVM, PostgreSQL, Kafka and workload, rounds
 * alternating the two modes so drift of a shared machine's load hits both (run by hand: bench/registry-mode.sh).
 * Each round: a new database, a slot made before the workload (ROWS rows in transactions of 100), then a producer
 * streams it into Kafka (acks=all) until it confirmed the workload's end; rows/s counts from the producer being
 * ready (its start-up, and the registry's answers for the first relation message, are counted too in round 1 of
 * each mode only). The registry is Apicurio Registry 3.3.3 (the test kit's LocalRegistry).
 */
public final class RegistryModeBench {
    private RegistryModeBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = Integer.getInteger("rows", 100_000);
        int rounds = Integer.getInteger("rounds", 4);
        try (LocalPostgres pg = LocalPostgres.start(); LocalKafka kafka = LocalKafka.start(); LocalRegistry registry = LocalRegistry.start()) {
            System.out.printf("registry started in %.1f s%n", registry.startTime().toMillis() / 1000.0);
            List<Double> nativeRates = new ArrayList<>();
            List<Double> registryRates = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                boolean registryFirst = round % 2 == 0;
                for (int i = 0; i < 2; i++) {
                    boolean reg = registryFirst == (i == 0);
                    double rate = round(pg, kafka, reg ? registry : null, rows, round);
                    (reg ? registryRates : nativeRates).add(rate);
                    System.out.printf("round %d %-8s %.0f rows/s%n", round, reg ? "registry" : "native", rate);
                }
            }
            // round 1 of each mode includes the JIT's warm-up and topic creation: the ratio is over the later rounds
            double n = median(nativeRates.subList(1, nativeRates.size()));
            double r = median(registryRates.subList(1, registryRates.size()));
            System.out.printf("RESULT registry/native rows/s (median of rounds 2..%d) = %.0f / %.0f = %.3f (target >= 0.95)%n",
                    rounds, r, n, r / n);
            // each round's pair ran back to back; the order alternates, so a machine still warming up favours
            // each mode equally often: the geometric mean of the pairs' ratios
            double logSum = 0;
            for (int i = 1; i < rounds; i++) {
                logSum += Math.log(registryRates.get(i) / nativeRates.get(i));
            }
            System.out.printf("RESULT registry/native rows/s (geometric mean of the paired rounds 2..%d) = %.3f%n", rounds,
                    Math.exp(logSum / (rounds - 1)));
        }
    }

    private static double round(LocalPostgres pg, LocalKafka kafka, LocalRegistry registry, int rows, int round) throws Exception {
        String mode = registry == null ? "native" : "registry";
        String db = "regbench_" + mode + "_" + round;
        String slot = "s_" + mode + "_" + round;
        pg.createDatabase(db);
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.rows (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))");
            st.execute("CREATE PUBLICATION pgkb FOR TABLE public.rows WITH (publish_via_partition_root = true)");
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            for (int i = 0; i < rows; i += 100) {
                st.execute("INSERT INTO rows SELECT g, g % 1000, md5(g::text), now(), g / 7.0 FROM generate_series(" + i + ", "
                        + (i + 99) + ") g");
            }
        }
        Lsn end = ProducerBench.walEnd(pg, db);
        ProducerSettings cfg = ProducerSettings.builder(PgUrl.parse(pg.uri(db)), kafka.bootstrapServers(), "bench-" + mode)
                .slot(slot).publication("pgkb").schemaRegistry(registry == null ? null : SchemaRegistrySettings.of(registry.url())).build();
        Producer p = new Producer(cfg);
        p.start();
        long ready = System.nanoTime();
        ProducerBench.awaitConfirmed(p, end);
        long nanos = System.nanoTime() - ready;
        p.stop();
        p.close();
        return rows * 1e9 / nanos;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
