package io.pgkb.restorer.internal;

import io.pgkb.restorer.RestoreTuning;
import io.pgkb.restorer.SplitCopy;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.TableDefinition;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Load → apply for one table: builds the restored table under a work name; the swap happens elsewhere. */
final class TableRebuild {
    private static final Logger log = LoggerFactory.getLogger(TableRebuild.class);
    private final ObjectStore store;
    private final Sources sources;
    private final ChangeDecoding decoding;
    private final int batchKeys;
    private final int loadConnections;
    private final AtomicLong rowsLoaded;
    private final AtomicLong changesApplied;
    /**
     * Estimated heap bytes of change values per batch (every change counted, also those a later one supersedes):
     * with one batch applied while the next is folded, this bounds the values held to twice it, whatever the
     * number of changes and however wide the rows.
     */
    private static final long MAX_BYTES = 64L << 20;
    /**
     * The first batch, merged into the dump's COPY (DumpMerge), may hold this many times {@code --batch-keys} keys
     * (its values still capped at MAX_BYTES, counted live): merged keys cost no statement, so it should cover as much
     * of the stream as memory allows.
     */
    static final int FIRST_BATCH_FACTOR = 4;

    TableRebuild(Sources sources, ChangeDecoding decoding, RestoreTuning tuning, AtomicLong rowsLoaded, AtomicLong changesApplied) {
        this.store = sources.store();
        this.sources = sources;
        this.decoding = decoding;
        this.batchKeys = tuning.batchKeys();
        this.loadConnections = tuning.loadConnections();
        this.rowsLoaded = rowsLoaded;
        this.changesApplied = changesApplied;
    }

    /**
     * Builds {@code work} (in the target's schema) from the plan; the caller drops it on failure. Reading and folding
     * the changes start first, as they need no database: connecting and creating the work table happen meanwhile.
     */
    /**
     * ... and, when the plan has the table's definition at T, completes it with that definition (DefinitionApplier);
     * {@code accessFromDefinition}: the table's owner, privileges, policies and triggers will be the definition's (not
     * the replaced table's), so the roles and functions they name are checked before anything is loaded.
     *
     * @return what the swap must finish (renames, foreign keys, access); null for a dump without a definition
     */
    DefinitionApplier.Built build(SplitCopy.Connector connector, RestorePlan plan, RestorePlan.TablePlan t, TableId work,
            boolean accessFromDefinition) throws SQLException, IOException {
        DumpManifest m = t.manifest();
        List<RowShape.Column> cols = new ArrayList<>();
        for (DumpManifest.Column c : m.columns()) {
            cols.add(new RowShape.Column(c.name(), c.type()));
        }
        RowShape initial = new RowShape(cols);
        long dumpLsn = t.dump().lsn().asLong();
        String name = t.table().source().toString();
        int[] keyColumns = keyColumns(initial, m.primaryKey());
        boolean mergeable = keyColumns != null && DumpMerge.comparable(initial, keyColumns);
        int firstKeys = mergeable ? (int) Math.min(Integer.MAX_VALUE, (long) FIRST_BATCH_FACTOR * batchKeys) : 0;
        // mergeable: the first batch is folded before the dump's COPY, which writes it in (DumpMerge); otherwise the
        // reading thread decodes and folds the first batch while the database loads the dump
        try (BatchPipe pipe = new BatchPipe(() -> {
            List<PartitionStream> streams = new ArrayList<>();
            for (RestorePlan.PartitionPlan p : t.partitions()) {
                streams.add(new PartitionStream(sources, t.table().source(), p.partition(), p.pieces(), p.from(), p.to(), dumpLsn, plan.target()));
            }
            return new MergedStream(streams);
        }, decoding.withLazyRows(m.primaryKey()), name, sink -> new Batcher(work, initial, m.primaryKey(), batchKeys, MAX_BYTES, firstKeys, sink)
                        .onRewrite(e -> RewriteRefusal.of(name, e, t.dumps()))
                        .knownAttnums(attnums(initial, m.definition()), m.definition() == null ? 0 : m.definition().oid()));
             Connection conn = connector.connect()) {
            if (t.definition() != null && accessFromDefinition) {
                TableAccess.check(conn, t.definition());
            }
            WorkTable table = WorkTable.create(conn, work, initial, m.primaryKey(), m.definition());
            conn.commit();
            Phases phases = new Phases();
            long t0 = System.nanoTime();
            Batcher.Step first = mergeable ? pipe.next() : null;
            long firstWait = mergeable ? pipe.waitNanos() : 0;
            long tLoad = phases.add(Phases.Phase.FIRST_FOLD, t0);
            Batcher.Fold merged = first instanceof Batcher.Fold f && f.keys() != null && f.shape().equals(initial) ? f : null;
            int mergedKeys = merged == null ? 0 : merged.size();
            if (merged != null) {
                loadMerged(conn, connector, t, m, work, merged);
            } else {
                load(conn, connector, t, m, work);
            }
            long tIndex = phases.add(Phases.Phase.LOAD, tLoad);
            addPrimaryKey(table, merged != null);
            conn.commit();
            long t1 = phases.add(Phases.Phase.INDEX, tIndex);
            ChangeApplier applier = new ChangeApplier(conn, table, changesApplied, phases);
            if (merged != null) {
                changesApplied.addAndGet(merged.changes());
                RestoreMetrics.CHANGES_MERGED.inc(merged.changes());
            } else if (first != null) {
                applier.apply(first);
            }
            for (Batcher.Step s = pipe.next(); s != null; s = pipe.next()) {
                applier.apply(s);
            }
            long tDefinition = System.nanoTime();
            DefinitionApplier.Built built = null;
            TableDefinition atT = definitionAtT(t, applier.lastDdl());
            if (atT != null) {
                // after the replay, as pg_restore does after its data: indexes in one pass, constraints checked once
                built = DefinitionApplier.afterLoad(conn, atT, new ObjectNames(t.table().source(), t.table().target(), work));
                conn.commit();
                phases.add(Phases.Phase.INDEX, tDefinition);
            }
            long n = pipe.changes();
            RestoreMetrics.CHANGES_APPLIED.inc(n);
            RestoreMetrics.DUPLICATES.inc(pipe.duplicates());
            long end = System.nanoTime();
            phases.add(Phases.Phase.WAIT_READER, end - (pipe.waitNanos() - firstWait));
            phases.rest(Phases.Phase.OTHER, end - t0);
            // load_ms and index_ms come with the phases
            log.info("restore.table table={} work={} dump={} rows={} changes={} duplicates_dropped={} merged_keys={} "
                    + "merged_changes={} apply_ms={} {}", t.table().source(), work, t.dump().lsn(), m.rowCount(), n,
                    pipe.duplicates(), mergedKeys, merged == null ? 0 : merged.changes(),
                    (end - t1) / 1_000_000, phases);
            return built;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.pgkb.schemas.PgkbException.FatalException("restore of " + t.table() + " interrupted");
        }
    }

    /** The newest DDL record's definition when one was applied (the definition at T), else the dump's. */
    private static TableDefinition definitionAtT(RestorePlan.TablePlan t, io.pgkb.schemas.DdlEvent lastDdl) {
        if (lastDdl != null && lastDdl.definition() != null) {
            return TableDefinition.fromJson(lastDdl.definition());
        }
        return t.definition();
    }

    /** The source's attnum of each column of {@code shape} from the dump's definition; null without one. */
    private static List<Integer> attnums(RowShape shape, TableDefinition definition) {
        if (definition == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (RowShape.Column c : shape.columns()) {
            TableDefinition.Column d = definition.columns().stream().filter(x -> x.name().equals(c.name())).findFirst().orElse(null);
            if (d == null) {
                return null;
            }
            out.add(d.attnum());
        }
        return out;
    }

    /** Positions of the primary-key columns in {@code shape}; null without a primary key. */
    private static int[] keyColumns(RowShape shape, List<String> primaryKey) {
        if (primaryKey.isEmpty()) {
            return null;
        }
        int[] k = new int[primaryKey.size()];
        for (int j = 0; j < k.length; j++) {
            k[j] = shape.indexOf(primaryKey.get(j));
            if (k[j] < 0) {
                return null; // Batcher names the problem
            }
        }
        return k;
    }

    /** ADD PRIMARY KEY; after a merged load a duplicate key means the changes do not fit the dump. */
    private static void addPrimaryKey(WorkTable table, boolean merged) throws SQLException {
        try {
            table.addPrimaryKey();
        } catch (SQLException e) {
            if (merged && "23505".equals(e.getSQLState())) {
                throw new PgkbException.FatalException("replay on " + table.id() + " disagrees with the table: the dump "
                        + "merged with the first batch of changes holds a primary key twice (" + e.getMessage()
                        + ") (the archive's changes do not fit the dump)");
            }
            throw e;
        }
    }

    /** The dump's COPY with the first fold written in (DumpMerge): one load instead of load + set-wise apply. */
    private void loadMerged(Connection conn, SplitCopy.Connector connector, RestorePlan.TablePlan t, DumpManifest m, TableId work,
            Batcher.Fold first) throws SQLException, IOException {
        String where = store.describe(t.dump().dataKey());
        DumpMerge merge = new DumpMerge(first.keys(), first.keyColumns(), first.shape().size(), work, where);
        try (SplitCopy copy = new SplitCopy(conn, connector, loadConnections, DumpFormat.copyFromSql(work, m));
             InputStream in = DumpFormat.openVerified(store.open(t.dump().dataKey()), m, where)) {
            merge.run(in, copy);
            copy.finish();
        }
        rowsLoaded.addAndGet(merge.dumpRows());
        RestoreMetrics.ROWS_LOADED.inc(merge.dumpRows());
    }

    private void load(Connection conn, SplitCopy.Connector connector, RestorePlan.TablePlan t, DumpManifest m, TableId work)
            throws SQLException, IOException {
        String where = store.describe(t.dump().dataKey());
        long rows;
        try (SplitCopy copy = new SplitCopy(conn, connector, loadConnections, DumpFormat.copyFromSql(work, m));
             InputStream in = DumpFormat.openVerified(store.open(t.dump().dataKey()), m, where)) {
            copy.writeRows(in);
            rows = copy.finish();
        }
        rowsLoaded.addAndGet(rows);
        RestoreMetrics.ROWS_LOADED.inc(rows);
    }
}
