package io.pgkb.archiver.dump;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.Durations;
import io.pgkb.schemas.config.PgOption;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.config.TopicPrefixOption;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.schemas.ui.ProgressReporter;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgkb dump}: dumps tables now, all from one snapshot at one LSN D, into the archive. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Dump tables now, all at one exact LSN D, into the archive (manifest written last).")
public final class DumpCommand implements Callable<Integer> {
    private static final String DEFAULT_PROGRESS_INTERVAL = "5s";

    @Mixin
    PgOption pg = new PgOption();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--tables", required = true, paramLabel = "LIST",
            description = "Comma-separated tables, SQL identifier syntax: schema.table, double-quoted where needed")
    String tables;

    @Mixin
    TopicPrefixOption prefixOption = new TopicPrefixOption();

    private String topicPrefix;

    @Option(names = "--publication", paramLabel = "NAME", defaultValue = DumpTaker.DEFAULT_PUBLICATION,
            description = "the producer's publication: a table not in it is refused, its dump could not be replayed (default: ${DEFAULT-VALUE})")
    String publication = DumpTaker.DEFAULT_PUBLICATION;

    @Option(names = "--zstd-level", paramLabel = "N", defaultValue = "" + DumpTaker.DEFAULT_ZSTD_LEVEL,
            description = "zstd compression level of the data objects, 1-19 (default: ${DEFAULT-VALUE})")
    int zstdLevel = DumpTaker.DEFAULT_ZSTD_LEVEL;

    @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = DEFAULT_PROGRESS_INTERVAL,
            description = "How often to print progress of a long dump on stderr; 0s for never (default: ${DEFAULT-VALUE})")
    String progressInterval = DEFAULT_PROGRESS_INTERVAL;

    @Spec
    CommandSpec spec;

    private PgUrl pgUrl;
    private List<TableId> tableIds;
    private Duration progressEvery;

    public void validate() {
        pgUrl = pg.url();
        try {
            tableIds = TableId.parseList(tables == null ? "" : tables);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--tables: " + e.getMessage());
        }
        if (tableIds.isEmpty()) {
            throw new PgkbException.ConfigException("--tables: no table given");
        }
        topicPrefix = prefixOption.value();
        if (zstdLevel < 1 || zstdLevel > 19) {
            throw new PgkbException.ConfigException("--zstd-level: must be 1-19, got " + zstdLevel);
        }
        progressEvery = Durations.option("--progress-interval", progressInterval);
        store.validate();
    }

    @Override
    public Integer call() throws IOException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressPrinter progress = new ProgressPrinter(err);
        ScheduledExecutorService ticker = null;
        try (ObjectStore objects = store.openArchive(topicPrefix, true); DumpLock lock = DumpLock.connect(pgUrl)) {
            if (!lock.tryLock(topicPrefix, tableIds)) {
                err.println("waiting for another dump of these tables to finish");
                err.flush();
                lock.lock(topicPrefix, tableIds);
            }
            if (!progressEvery.isZero()) {
                ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "pgkb-dump-progress");
                    t.setDaemon(true);
                    return t;
                });
                ticker.scheduleAtFixedRate(progress::print, progressEvery.toMillis(), progressEvery.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
            DumpTaker taker = new DumpTaker(pgUrl, objects, new ArchiveLayout(topicPrefix)).withZstdLevel(zstdLevel)
                    .withPublication(publication);
            // SIGTERM/Ctrl-C: cancel the COPY so the dump removes what it wrote before the JVM exits
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                taker.cancel();
                try {
                    finished.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pgkb-dump-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            // a terminal gets a bar with rate and ETA (total from the planner's row estimates); otherwise the
            // plain lines of --progress-interval
            ProgressReporter bar = System.console() == null || progressEvery.isZero() ? null : ProgressReporter.create("dump");
            DumpListener listener = progress;
            if (bar != null) {
                if (ticker != null) {
                    ticker.shutdownNow();
                    ticker = null;
                }
                bar.start(estimatedRows(), "rows");
                listener = new BarListener(bar);
            }
            DumpResult result;
            try {
                result = taker.take(tableIds, listener);
                if (bar != null) {
                    bar.done();
                }
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running and has been released by finished
                }
            }
            out.println("dump at D=" + result.consistentPoint() + " (" + result.consistentPoint().asLong() + ") in "
                    + String.format(Locale.ROOT, "%.1fs", result.elapsed().toMillis() / 1000.0));
            for (DumpManifest m : result.manifests()) {
                out.println(String.format(Locale.ROOT, "  %s rows=%d bytes=%d compressed_bytes=%d sha256=%s -> %s",
                        m.tableId().quoted(), m.rowCount(), m.uncompressedBytes(), m.dataBytes(), m.dataSha256(),
                        objects.describe(new ArchiveLayout(topicPrefix).dumpManifest(m.tableId(), result.consistentPoint()))));
            }
            out.flush();
            return 0;
        } finally {
            if (ticker != null) {
                ticker.shutdownNow();
            }
        }
    }

    /** pg_class.reltuples of the tables, -1 when any was never analyzed (then the bar shows no ETA). */
    private long estimatedRows() {
        long total = 0;
        try (Connection c = DriverManager.getConnection(pgUrl.jdbcUrl(), pgUrl.properties());
             PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = ?::regclass")) {
            for (TableId t : tableIds) {
                ps.setString(1, t.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) < 0) {
                        return -1;
                    }
                    total += rs.getLong(1);
                }
            }
            return total;
        } catch (SQLException e) {
            return -1; // only an estimate for the bar; the dump itself reports real problems
        }
    }

    /** Feeds the running row counts of the dumping thread into the terminal bar. */
    private static final class BarListener implements DumpListener {
        private final ProgressReporter bar;
        private long tableRows;

        BarListener(ProgressReporter bar) {
            this.bar = bar;
        }

        @Override
        public void progress(TableId table, long rows, long uncompressedBytes) {
            bar.advance(rows - tableRows);
            tableRows = rows;
        }

        @Override
        public void tableCopied(DumpManifest manifest) {
            bar.advance(manifest.rowCount() - tableRows);
            tableRows = 0;
        }
    }

    /** Remembers the newest totals (written by the dumping thread) and prints them on a timer. */
    private static final class ProgressPrinter implements DumpListener {
        private final PrintWriter err;
        private final long started = System.nanoTime();
        private volatile TableId table;
        private volatile long rows;
        private volatile long bytes;
        private volatile long doneBytes;

        ProgressPrinter(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void progress(TableId t, long r, long b) {
            table = t;
            rows = r;
            bytes = b;
        }

        @Override
        public void tableCopied(DumpManifest m) {
            doneBytes += m.uncompressedBytes();
            bytes = 0;
            rows = 0;
        }

        void print() {
            TableId t = table;
            if (t == null) {
                return;
            }
            double secs = Math.max(0.001, (System.nanoTime() - started) / 1e9);
            double mib = (doneBytes + bytes) / 1048576.0;
            err.println(String.format(Locale.ROOT, "dumping %s: %d rows, %.1f MiB copied, %.1f MiB/s overall",
                    t.quoted(), rows, bytes / 1048576.0, mib / secs));
            err.flush();
        }
    }
}
