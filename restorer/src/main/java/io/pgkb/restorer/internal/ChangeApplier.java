package io.pgkb.restorer.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies a table's {@link Batcher.Step}s, in order, to its {@link WorkTable}: folded batches set-wise, TRUNCATEs
 * and writer-schema changes as DDL. Each step commits on its own.
 */
final class ChangeApplier {
    private final Connection conn;
    private final WorkTable work;
    private final SetApplier applier;
    private final AtomicLong applied;
    private final Phases phases;
    private io.pgkb.schemas.DdlEvent lastDdl;

    /** @param applied incremented by the number of changes applied, for progress reports */
    ChangeApplier(Connection conn, WorkTable work, AtomicLong applied, Phases phases) throws SQLException {
        this.conn = conn;
        this.work = work;
        this.phases = phases;
        this.applier = new SetApplier(conn, work, phases);
        this.applied = applied;
    }

    /** The newest DDL record applied (its definition is the table's at T), or null when none was in range. */
    io.pgkb.schemas.DdlEvent lastDdl() {
        return lastDdl;
    }

    void apply(Batcher.Step step) throws SQLException {
        long n;
        if (step instanceof Batcher.Fold f) {
            if (f.keys() != null) {
                applier.apply(f.keys(), f.shape(), f.keyColumns());
            } else {
                applier.apply(f.rows(), f.shape());
            }
            n = f.changes();
        } else if (step instanceof Batcher.Alter a) {
            work.alterTo(a.shape());
            n = 0;
        } else if (step instanceof Batcher.Ddl d) {
            lastDdl = d.replay().event();
            if (!d.replay().changesRows()) {
                return;
            }
            work.apply(d.replay());
            n = 0;
        } else {
            work.truncate();
            n = 1;
        }
        long t0 = System.nanoTime();
        conn.commit();
        phases.add(Phases.Phase.COMMIT, t0);
        if (applied != null) {
            applied.addAndGet(n);
        }
    }
}
