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
        long t0 = System.nanoTime();
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
        table.addPrimaryKey();
        conn.commit();
        long t1 = System.nanoTime();
        ChangeApplier applier = new ChangeApplier(conn, table, batchKeys, 64L << 20, changesApplied);
        long dumpLsn = t.dump().lsn().asLong();
        long n = 0;
        try (ChangePipe pipe = new ChangePipe(() -> {
            List<PartitionStream> streams = new ArrayList<>();
            for (RestorePlan.PartitionPlan p : t.partitions()) {
                streams.add(new PartitionStream(store, p.segments(), p.from(), p.to(), dumpLsn, plan.target()));
            }
            return new MergedStream(streams);
        }, decoding, t.table().source().toString())) {
            for (Change c = pipe.next(); c != null; c = pipe.next()) {
                applier.accept(c);
                n++;
            }
            applier.flush();
            RestoreMetrics.CHANGES_APPLIED.inc(n);
            RestoreMetrics.DUPLICATES.inc(pipe.duplicates());
            log.info("restore.table table={} work={} dump={} rows={} changes={} duplicates_dropped={} load_ms={} apply_ms={}",
                    t.table().source(), work, t.dump().lsn(), m.rowCount(), n, pipe.duplicates(),
                    (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.pgkb.schemas.PgkbException.FatalException("restore of " + t.table() + " interrupted");
        }
    }
}
