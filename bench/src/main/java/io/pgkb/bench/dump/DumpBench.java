package io.pgkb.bench.dump;

import io.pgkb.archiver.dump.DumpListener;
import io.pgkb.archiver.dump.DumpResult;
import io.pgkb.archiver.dump.DumpTaker;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.FileSystemStore;
import io.pgkb.testkit.LocalPostgres;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.postgresql.PGConnection;

/**
 * Dump throughput against the ceiling of a plain {@code COPY … TO STDOUT} of the same table through CopyManager
 * into a discarding stream. Prints both rates and their ratio (target ≥ 0.8), measured in one run.
 *
 * <p>Arguments: {@code [--rows N] [--repeat N] [--zstd-level N] [--store DIR] [--pg URL]}. Without --pg an embedded
 * PostgreSQL 17 is started; with --pg the table {@code pgkb_bench_dump} is created (replaced) there.
 */
public final class DumpBench {
    private static final TableId TABLE = new TableId("public", "pgkb_bench_dump");

    public static void main(String[] args) throws Exception {
        long rows = 2_000_000;
        int repeat = 3;
        int level = DumpTaker.DEFAULT_ZSTD_LEVEL;
        String pgArg = null;
        Path storeDir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Long.parseLong(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--zstd-level" -> level = Integer.parseInt(args[++i]);
                case "--pg" -> pgArg = args[++i];
                case "--store" -> storeDir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --rows N --repeat N --zstd-level N --store DIR --pg URL)");
            }
        }
        LocalPostgres local = null;
        try {
            PgUrl pg;
            if (pgArg == null) {
                local = LocalPostgres.start();
                pg = PgUrl.parse(local.uri("postgres"));
            } else {
                pg = PgUrl.parse(pgArg);
            }
            Path dir = storeDir != null ? storeDir : Files.createTempDirectory("pgkb-dump-bench-");
            load(pg, rows);
            long copyBytes = 0;
            double bestCopy = Double.MAX_VALUE;
            double bestDump = Double.MAX_VALUE;
            DumpManifest last = null;
            for (int r = 0; r < repeat; r++) {
                long t0 = System.nanoTime();
                copyBytes = plainCopy(pg);
                bestCopy = Math.min(bestCopy, (System.nanoTime() - t0) / 1e9);

                try (FileSystemStore store = new FileSystemStore(dir)) {
                    long t1 = System.nanoTime();
                    DumpResult res = new DumpTaker(pg, store, new ArchiveLayout("bench")).withZstdLevel(level)
                            .take(List.of(TABLE), DumpListener.NONE);
                    bestDump = Math.min(bestDump, (System.nanoTime() - t1) / 1e9);
                    last = res.manifests().get(0);
                    // keep the disk footprint to one dump
                    store.delete(last.dataKey());
                    store.delete(new ArchiveLayout("bench").dumpManifest(TABLE, res.consistentPoint()));
                }
                System.out.printf(Locale.ROOT, "round %d: copy best %.2fs, dump best %.2fs%n", r + 1, bestCopy, bestDump);
            }
            double mib = copyBytes / 1048576.0;
            System.out.printf(Locale.ROOT, "table: %d rows, %.1f MiB of COPY text; dump compressed to %.1f MiB (zstd level %d, ratio %.2f)%n",
                    last.rowCount(), mib, last.dataBytes() / 1048576.0, level, (double) last.uncompressedBytes() / last.dataBytes());
            System.out.printf(Locale.ROOT, "plain COPY to /dev/null: %.2fs = %.1f MiB/s%n", bestCopy, mib / bestCopy);
            System.out.printf(Locale.ROOT, "pgkb dump (COPY -> zstd -> SHA-256 -> file store, fsync): %.2fs = %.1f MiB/s%n",
                    bestDump, mib / bestDump);
            System.out.printf(Locale.ROOT, "ratio dump/COPY throughput: %.2f (target >= 0.80)%n", bestCopy / bestDump);
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private static void load(PgUrl pg, long rows) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.properties()); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE.quoted());
            st.execute("CREATE TABLE " + TABLE.quoted() + " (id bigint PRIMARY KEY, customer int NOT NULL, amount numeric(12,2), "
                    + "note text, created timestamptz NOT NULL, flags boolean, ratio double precision)");
            st.execute("INSERT INTO " + TABLE.quoted() + " SELECT g, g % 10007, (g % 100000) / 100.0, "
                    + "'order ' || g || ' ' || md5(g::text), timestamptz '2024-01-01' + g * interval '1 second', g % 3 = 0, "
                    + "g / 7.0 FROM generate_series(1, " + rows + ") g");
            st.execute("VACUUM ANALYZE " + TABLE.quoted());
        }
    }

    private static long plainCopy(PgUrl pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.properties())) {
            try (Statement st = c.createStatement()) {
                for (String set : DumpFormat.sessionStatements()) {
                    st.execute(set);
                }
            }
            long[] n = {0};
            OutputStream nul = new OutputStream() {
                @Override
                public void write(int b) {
                    n[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    n[0] += len;
                }
            };
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + TABLE.quoted() + " TO STDOUT", nul);
            return n[0];
        }
    }
}
