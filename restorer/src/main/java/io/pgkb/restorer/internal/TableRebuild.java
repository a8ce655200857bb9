package io.pgkb.restorer.internal;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Load → apply for one table: builds the restored table under a work name; the swap happens elsewhere. */
final class TableRebuild {
    private static final Logger log = LoggerFactory.getLogger(TableRebuild.class);
    private final ObjectStore store;
    private final ChangeDecoding decoding;
    private final int batchKeys;
    private final AtomicLong rowsLoaded;
    private final AtomicLong changesApplied;
    /**
     * Estimated heap bytes of change values per batch (every change counted, also those a later one supersedes):
     * with one batch applied while the next is folded, this bounds the values held to twice it, whatever the
     * number of changes and however wide the rows.
     */
    private static final long MAX_BYTES = 64L << 20;

    TableRebuild(ObjectStore store, ChangeDecoding decoding, int batchKeys, AtomicLong rowsLoaded, AtomicLong changesApplied) {
        this.store = store;
        this.decoding = decoding;
        this.batchKeys = batchKeys;
        this.rowsLoaded = rowsLoaded;
        this.changesApplied = changesApplied;
    }

    /** Builds {@code work} (in the target's schema) from the plan; the caller drops it on failure. */
    void build(Connection conn, RestorePlan plan, RestorePlan.TablePlan t, TableId work) throws SQLException, IOException {
        DumpManifest m = t.manifest();
        List<RowShape.Column> cols = new ArrayList<>();
        for (DumpManifest.Column c : m.columns()) {
            cols.add(new RowShape.Column(c.name(), c.type()));
        }
        WorkTable table = WorkTable.create(conn, work, new RowShape(cols), m.primaryKey());
        conn.commit();
        long dumpLsn = t.dump().lsn().asLong();
        RowShape initial = table.shape();
        String name = t.table().source().toString();
        // the reading thread decodes and folds the first batch while the database loads the dump
        try (BatchPipe pipe = new BatchPipe(() -> {
            List<PartitionStream> streams = new ArrayList<>();
            for (RestorePlan.PartitionPlan p : t.partitions()) {
                streams.add(new PartitionStream(store, p.segments(), p.from(), p.to(), dumpLsn, plan.target()));
            }
            return new MergedStream(streams);
        }, decoding, name, sink -> new Batcher(work, initial, m.primaryKey(), batchKeys, MAX_BYTES, sink))) {
            Phases phases = new Phases();
            long t0 = System.nanoTime();
            load(conn, t, m, work);
            long tIndex = phases.add(Phases.Phase.LOAD, t0);
            table.addPrimaryKey();
            conn.commit();
            long t1 = phases.add(Phases.Phase.INDEX, tIndex);
            ChangeApplier applier = new ChangeApplier(conn, table, changesApplied, phases);
            for (Batcher.Step s = pipe.next(); s != null; s = pipe.next()) {
                applier.apply(s);
            }
            long n = pipe.changes();
            RestoreMetrics.CHANGES_APPLIED.inc(n);
            RestoreMetrics.DUPLICATES.inc(pipe.duplicates());
            long end = System.nanoTime();
            phases.add(Phases.Phase.WAIT_READER, end - pipe.waitNanos());
            phases.rest(Phases.Phase.OTHER, end - t0);
            // load_ms and index_ms come with the phases
            log.info("restore.table table={} work={} dump={} rows={} changes={} duplicates_dropped={} apply_ms={} {}",
                    t.table().source(), work, t.dump().lsn(), m.rowCount(), n, pipe.duplicates(),
                    (end - t1) / 1_000_000, phases);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.pgkb.schemas.PgkbException.FatalException("restore of " + t.table() + " interrupted");
        }
    }

    private void load(Connection conn, RestorePlan.TablePlan t, DumpManifest m, TableId work) throws SQLException, IOException {
        String where = store.describe(t.dump().dataKey());
        try (InputStream in = DumpFormat.openVerified(store.open(t.dump().dataKey()), m, where)) {
            long rows = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(DumpFormat.copyFromSql(work, m), in, 1 << 16);
            rowsLoaded.addAndGet(rows);
            RestoreMetrics.ROWS_LOADED.inc(rows);
        } catch (SQLException e) {
            // the verifying stream throws at its end; pgjdbc wraps what the stream threw
            Throwable c = e;
            while (c != null) {
                if (c instanceof PgkbException p) {
                    throw p;
                }
                c = c.getCause();
            }
            throw e;
        }
    }
}
