package io.pgkb.bench.history;

import io.pgkb.archiver.Archiver;
import io.pgkb.archiver.ArchiverConfig;
import io.pgkb.archiver.dump.DumpListener;
import io.pgkb.archiver.dump.DumpTaker;
import io.pgkb.producer.Producer;
import io.pgkb.producer.ProducerSettings;
import io.pgkb.restorer.ArchiveReader;
import io.pgkb.restorer.RestoreTargetSpec;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ProgressRecord;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RPO and history benchmark (run by hand): the real chain (PostgreSQL → producer → Kafka → archiver with its default
 * segment limits → directory store) under a steady update load. Prints, every 30 s, how far the newest restorable
 * point is behind the source's clock with the archive alone and with the tail in Kafka: first with the archiver
 * running, then with it stopped for {@code minutes}. Then bulk updates grow the archive and the history of one key
 * is read with and without Kafka (one partition vs all): records read per second and bytes read.
 *
 * <p>Arguments: {@code [minutes archiver stopped] [rows] [bulk rounds of rows changes] [partitions]} (default 3 100000 8 4);
 * 0 minutes skips the RPO part.
 */
public final class RpoHistoryBench {
    private static final TableId TABLE = new TableId("public", "bench");
    private static final String PREFIX = "rpo";

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int bulk = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path dir = Files.createTempDirectory("pgkb-rpo-bench-");
        try (LocalPostgres pg = LocalPostgres.start(); LocalKafka kafka = LocalKafka.start(); ObjectStore store = new FileSystemStore(dir.resolve("archive"))) {
            pg.createDatabase("bench");
            try (Connection c = pg.connect("bench"); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE bench (id int PRIMARY KEY, a int NOT NULL, b text)");
                st.execute("INSERT INTO bench SELECT g, 0, md5(g::text) FROM generate_series(1, " + rows + ") g");
            }
            String servers = kafka.bootstrapServers();
            Producer producer = new Producer(ProducerSettings.builder(PgUrl.parse(pg.uri("bench")), servers, PREFIX).partitions(partitions).build());
            producer.start();
            ArchiverConfig cfg = ArchiverConfig.builder(servers, PREFIX, Files.createDirectories(dir.resolve("spool"))).build();
            Archiver[] archiver = {start(cfg, store)};
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong changes = new AtomicLong();
            Thread load = new Thread(() -> {
                try (Connection c = pg.connect("bench"); Statement st = c.createStatement()) {
                    for (int i = 0; running.get(); i++) {
                        int from = 1 + (i * 100) % rows;
                        st.execute("UPDATE bench SET a = a + 1 WHERE id BETWEEN " + from + " AND " + (from + 99));
                        changes.addAndGet(100);
                        Thread.sleep(50); // about 2000 changes/s: a steady load, not a flood
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "load");
            load.start();
            // the dump after some load: every partition is then written before it, which proves a key's partition
            Thread.sleep(10_000);
            new DumpTaker(PgUrl.parse(pg.uri("bench")), store, new ArchiveLayout(PREFIX)).take(List.of(TABLE), DumpListener.NONE);
            try (ArchiveReader archive = new ArchiveReader(store, PREFIX, servers, new Properties())) {
                System.out.println("phase,elapsed_s,changes_written,archive_only_behind_s,with_kafka_behind_s");
                long t0 = System.nanoTime();
                for (int i = 0; i < (minutes == 0 ? 0 : 4); i++) {
                    Thread.sleep(30_000);
                    report("archiver running", t0, changes, archive);
                }
                archiver[0].stop();
                archiver[0].awaitFinished(Duration.ofSeconds(60));
                long stopped = System.nanoTime();
                while (System.nanoTime() - stopped < Duration.ofMinutes(minutes).toNanos()) {
                    Thread.sleep(30_000);
                    report("archiver stopped", stopped, changes, archive);
                }
                running.set(false);
                load.join();
                archiver[0] = start(cfg, store);
                long beforeLast;
                try (Connection c = pg.connect("bench"); Statement st = c.createStatement()) {
                    for (int i = 0; i < bulk; i++) {
                        st.execute("UPDATE bench SET a = a + 1");
                        changes.addAndGet(rows);
                    }
                    try (var rs = st.executeQuery("SELECT pg_current_wal_lsn()")) {
                        rs.next();
                        beforeLast = Lsn.parse(rs.getString(1)).asLong();
                    }
                    st.execute("UPDATE bench SET b = 'last' WHERE id = 1");
                }
                System.out.println("changes written: " + changes.get() + "; waiting for the producer and the archive to cover them");
                long wait = System.nanoTime();
                long latestArchived;
                ArchiveReader.Progress p;
                do {
                    Thread.sleep(5000);
                    p = archive.progress();
                    latestArchived = p.archived().latest().orElse(0);
                    // the last transaction committed after beforeLast: Kafka's progress must prove it (the producer
                    // drained the bulk), and the archive must have caught up with Kafka
                } while (Lsn.compare(latestArchived, beforeLast) <= 0
                        || p.withKafka().latest().orElse(0) != latestArchived
                        || System.nanoTime() - wait < 70_000_000_000L); // past the segment age limit
                System.out.println("archive covers them after " + (System.nanoTime() - wait) / 1_000_000_000 + " s");
                Map<String, String> key = Map.of("id", Integer.toString(rows / 2 + 7));
                RestoreTargetSpec latest = new RestoreTargetSpec(null, null, null, true);
                for (int run = 0; run < 2; run++) {
                    for (boolean withKafka : new boolean[] {true, false}) {
                        ArchiveReader.HistoryStats s = archive.history(TABLE, key, null, latest, withKafka);
                        System.out.printf("history of one key (%s): %d records read in %d ms = %.0f records/s, %d changes printed, "
                                        + "%d partitions, %.1f MiB read (dump + segments)%n", !withKafka ? "archive only, all partitions"
                                        : "with --bootstrap-servers, the key's partition", s.records(), s.millis(),
                                s.records() * 1000.0 / Math.max(1, s.millis()), s.printed(), s.partitions(), s.bytes() / 1048576.0);
                    }
                }
            } finally {
                running.set(false);
                archiver[0].stop();
                archiver[0].awaitFinished(Duration.ofSeconds(30));
                producer.stop();
                producer.close();
            }
        }
    }

    private static Archiver start(ArchiverConfig cfg, ObjectStore store) {
        Archiver a = new Archiver(cfg, store);
        Thread t = new Thread(a::run, "archiver");
        t.setDaemon(true);
        t.start();
        return a;
    }

    /** Seconds between now and the commit time of the newest point each source proves complete. */
    private static void report(String phase, long since, AtomicLong changes, ArchiveReader archive) {
        ArchiveReader.Progress p = archive.progress();
        double now = System.currentTimeMillis() / 1000.0;
        System.out.printf("%s,%d,%d,%.1f,%.1f%n", phase, (System.nanoTime() - since) / 1_000_000_000, changes.get(),
                behind(now, p.archived().newestConfirm().orElse(null)), behind(now, p.withKafka().newestConfirm().orElse(null)));
    }

    private static double behind(double now, ProgressRecord r) {
        return r == null || r.lastCommitLsn() == 0 ? Double.NaN : now - r.commitTimeMicros() / 1e6;
    }
}
