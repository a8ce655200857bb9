package io.pgkb.archiver.dump;

import io.pgkb.archiver.dump.internal.DumpMetrics;
import io.pgkb.archiver.dump.internal.DumpSink;
import io.pgkb.archiver.dump.internal.ExportedSnapshot;
import io.pgkb.archiver.dump.internal.TableDescription;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.ddl.DefinitionReader;
import io.pgkb.schemas.ddl.TableDefinition;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes dumps of tables at one exact LSN D (DESIGN §5): a temporary logical slot exports a snapshot whose
 * consistent point is D; a second connection imports it in a REPEATABLE READ READ ONLY transaction, reads each
 * table's columns, primary key and definition and COPYs its rows into {@code dumps/<D>/data.copy.zst}. Manifests are written
 * only after every table's data is durable, so a dump of several tables appears all at once or not at all;
 * on failure whatever was written is deleted and nothing is visible under a manifest name.
 */
public final class DumpTaker {
    private static final Logger log = LoggerFactory.getLogger(DumpTaker.class);
    // level 1: half the CPU of level 3 and, on COPY text, about the same ratio (docs/dumps.md, Benchmark)
    public static final int DEFAULT_ZSTD_LEVEL = 1;

    private final PgUrl pg;
    private final ObjectStore store;
    private final ArchiveLayout layout;
    private volatile Connection running;
    private volatile boolean cancelled;
    private int zstdLevel = DEFAULT_ZSTD_LEVEL;
    private String publication = DEFAULT_PUBLICATION;
    /** The producer's default publication ({@code pgkb produce --publication}). */
    public static final String DEFAULT_PUBLICATION = "pgkb";

    public DumpTaker(PgUrl pg, ObjectStore store, ArchiveLayout layout) {
        this.pg = pg;
        this.store = store;
        this.layout = layout;
    }

    public DumpTaker withZstdLevel(int level) {
        this.zstdLevel = level;
        return this;
    }

    /** The publication the producer streams from; a dump of a table outside it would be useless for replay. */
    public DumpTaker withPublication(String name) {
        this.publication = name;
        return this;
    }

    /** Dumps every table in {@code tables} from one snapshot (one D). */
    public DumpResult take(List<TableId> tables, DumpListener listener) {
        if (tables.isEmpty()) {
            throw new PgkbException.ConfigException("no table to dump");
        }
        List<TableId> sorted = new ArrayList<>(new TreeSet<>(tables));
        long started = System.nanoTime();
        List<String> written = new ArrayList<>();
        boolean committed = false;
        try (Connection conn = openDataConnection()) {
            running = conn;
            checkCancelled(sorted);
            // fail on a missing table before a slot is created
            for (TableId t : sorted) {
                TableDescription.read(conn, t);
            }
            checkPublished(conn, sorted);
            List<DumpManifest> manifests = new ArrayList<>();
            Lsn d;
            long snapStart = System.nanoTime();
            checkCancelled(sorted);
            try (ExportedSnapshot snap = ExportedSnapshot.create(pg)) {
                d = snap.consistentPoint();
                checkCancelled(sorted);
                log.debug("dump snapshot ready lsn={} millis={}", d, (System.nanoTime() - snapStart) / 1_000_000);
                exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                exec(conn, "SET TRANSACTION SNAPSHOT '" + snap.snapshotName().replace("'", "''") + "'");
                for (TableId t : sorted) {
                    // keeps DROP/ALTER out until the COPY is done, as pg_dump does
                    exec(conn, "LOCK TABLE " + t.quoted() + " IN ACCESS SHARE MODE");
                }
                String[] version = serverVersion(conn);
                String takenAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
                // the imported snapshot now lives in this transaction; the slot is no longer needed
                snap.close();
                for (TableId t : sorted) {
                    checkCancelled(sorted);
                    DumpManifest m = copyTable(conn, t, d, snap.snapshotName(), version, takenAt, written, listener);
                    manifests.add(m);
                    listener.tableCopied(m);
                }
                exec(conn, "COMMIT");
            }
            checkCancelled(sorted);
            for (DumpManifest m : manifests) {
                String key = layout.dumpManifest(m.tableId(), d);
                written.add(key);
                store.put(key, m.toJson());
            }
            committed = true;
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            DumpMetrics.LAST_SUCCESS.set(System.currentTimeMillis() / 1000.0);
            for (DumpManifest m : manifests) {
                DumpMetrics.DUMPS.labelValues("ok").inc();
                DumpMetrics.ROWS.inc(m.rowCount());
                DumpMetrics.BYTES.inc(m.uncompressedBytes());
                log.info("dump committed table={} lsn={} rows={} bytes={} compressed_bytes={} elapsed_ms={}",
                        m.tableId(), d, m.rowCount(), m.uncompressedBytes(), m.dataBytes(), elapsed.toMillis());
            }
            return new DumpResult(d, manifests, elapsed);
        } catch (SQLException e) {
            throw new PgkbException.FatalException("dump of " + names(sorted) + " from " + pg.describe()
                    + (cancelled ? " cancelled" : " failed") + ": " + Messages.firstLine(e));
        } catch (IOException e) {
            throw new PgkbException.FatalException("dump of " + names(sorted) + " failed writing the archive at "
                    + store.describe(layout.root()) + ": " + Messages.firstLine(e) + " (nothing of this dump is visible there)", e);
        } finally {
            running = null;
            if (!committed) {
                DumpMetrics.DUMPS.labelValues("failed").inc(sorted.size());
                cleanUp(written);
            }
        }
    }

    /**
     * Replay after D needs every change with commit_lsn >= D in the stream. pgoutput streams a table's changes only
     * from the moment it is in the publication, and a transaction that straddles that moment is streamed only in
     * part. Checking membership BEFORE the dump's slot is created means the ALTER PUBLICATION committed before the
     * snapshot builder started; every transaction running then finishes before D (it is in the dump), and every
     * later one is streamed whole. So a published table's dump is replayable; an unpublished one's is refused.
     * Without the publication at all (no producer on this database yet) the dump is taken with a warning.
     */
    private void checkPublished(Connection conn, List<TableId> tables) throws SQLException {
        if (publication == null) {
            return;
        }
        try (var exists = conn.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            exists.setString(1, publication);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    log.warn("publication {} does not exist: changes to {} are captured only once the producer "
                            + "publishes them, so this dump is replayable only from then on", publication, names(tables));
                    return;
                }
            }
        }
        try (var member = conn.prepareStatement(
                "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = ? AND tablename = ?")) {
            for (TableId t : tables) {
                member.setString(1, publication);
                member.setString(2, t.schema());
                member.setString(3, t.table());
                try (ResultSet rs = member.executeQuery()) {
                    if (!rs.next()) {
                        throw new PgkbException.ConfigException("table " + t.qualified() + " is not in publication "
                                + publication + " yet, so its changes are not streamed and a dump of it could not be "
                                + "replayed; let pgkb produce publish it first (or check --publication)");
                    }
                }
            }
        }
    }

    /**
     * Cancels the dump running in {@link #take} (from another thread, e.g. on shutdown): the server cancels the
     * COPY, and that call fails and deletes what it wrote. Sticky: later calls of {@link #take} fail at once.
     */
    public void cancel() {
        cancelled = true;
        Connection c = running;
        if (c != null) {
            try {
                c.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException e) {
                log.warn("cancelling the dump failed: {}", Messages.firstLine(e));
            }
        }
    }

    private void checkCancelled(List<TableId> tables) {
        if (cancelled) {
            throw new PgkbException.FatalException("dump of " + names(tables) + " cancelled");
        }
    }

    private DumpManifest copyTable(Connection conn, TableId t, Lsn d, String snapshot, String[] version, String takenAt,
                                   List<String> written, DumpListener listener) throws SQLException, IOException {
        TableDescription desc = TableDescription.read(conn, t);
        // in the snapshot, like the rows: the definition at D (sequences' last values excepted: not transactional)
        TableDefinition definition = DefinitionReader.read(conn, desc.oid());
        String key = layout.dumpData(t, d);
        CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
        DumpSink sink;
        try (ObjectStore.ObjectWriter w = store.create(key)) {
            sink = new DumpSink(w, zstdLevel, (rows, bytes) -> listener.progress(t, rows, bytes));
            copy.copyOut(desc.copyOutSql(), sink);
            sink.finish();
            // recorded before commit: a commit that fails half-way may still have left the object behind
            written.add(key);
            w.commit();
        }
        return new DumpManifest(DumpManifest.FORMAT_VERSION, t.schema(), t.table(), d.toString(), d.asLong(), snapshot,
                version[0], Integer.parseInt(version[1]), takenAt, desc.columns(), desc.primaryKey(), sink.rows(), key,
                DumpFormat.DATA_FORMAT, sink.compressedBytes(), sink.uncompressedBytes(), sink.sha256Hex(),
                DumpFormat.SESSION_SETTINGS, definition);
    }

    private Connection openDataConnection() {
        Properties props = pg.properties();
        props.setProperty("ApplicationName", "pgkb-dump");
        try {
            Connection conn = DriverManager.getConnection(pg.jdbcUrl(), props);
            for (String set : DumpFormat.sessionStatements()) {
                exec(conn, set);
            }
            // a dump of a large table legitimately runs for hours
            exec(conn, "SET statement_timeout = 0");
            exec(conn, "SET idle_in_transaction_session_timeout = 0");
            return conn;
        } catch (SQLException e) {
            throw PgkbException.connecting("cannot connect to " + pg.describe() + ": " + Messages.firstLine(e), e);
        }
    }

    private static String[] serverVersion(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), current_setting('server_version_num')")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }

    private static void exec(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    /** Manifests first, so a dump stops being visible before its data goes. */
    private void cleanUp(List<String> written) {
        List<String> order = new ArrayList<>(written);
        order.sort((a, b) -> Boolean.compare(!a.endsWith("manifest.json"), !b.endsWith("manifest.json")));
        for (String key : order) {
            try {
                store.delete(key);
            } catch (IOException | RuntimeException e) {
                log.warn("could not delete {} of a failed dump (retention removes it later): {}", store.describe(key),
                        Messages.firstLine(e));
            }
        }
    }

    private static String names(List<TableId> tables) {
        return tables.stream().map(TableId::quoted).reduce((a, b) -> a + ", " + b).orElse("");
    }
}
