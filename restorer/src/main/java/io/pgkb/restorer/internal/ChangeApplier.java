package io.pgkb.restorer.internal;

import io.pgkb.schemas.PgkbException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replays ordered, de-duplicated changes of one table onto its {@link WorkTable}: folds runs of changes into net
 * changes per key and applies them set-wise. A batch ends at {@code maxKeys} keys or {@code maxChars} characters of
 * values (bounded memory whatever the number of changes), at a TRUNCATE, and where the writer schema changes.
 * Each batch commits on its own.
 */
public final class ChangeApplier {
    private final Connection conn;
    private final WorkTable work;
    private final SetApplier applier;
    private final int maxKeys;
    private final long maxChars;
    private final AtomicLong applied;
    private RowShape shape;
    private int[] keyColumns;
    private KeyFold keyFold;
    private RowFold rowFold;
    private long chars;
    private long changes;

    /** @param applied incremented by the number of changes applied, for progress reports */
    public ChangeApplier(Connection conn, WorkTable work, int maxKeys, long maxChars, AtomicLong applied) throws SQLException {
        this.conn = conn;
        this.work = work;
        this.applier = new SetApplier(conn, work);
        this.maxKeys = maxKeys;
        this.maxChars = maxChars;
        this.applied = applied;
        use(work.shape());
    }

    public void accept(Change c) throws SQLException {
        if (c.op() == Change.Op.TRUNCATE) {
            flush();
            work.truncate();
            conn.commit();
            count(1);
            return;
        }
        if (!c.shape().equals(shape)) {
            flush();
            work.alterTo(c.shape());
            conn.commit();
            use(c.shape());
        }
        // never split a primary-key change (DELETE old + INSERT new carrying unchanged columns) across batches
        boolean continuesKeyChange = c.op() == Change.Op.INSERT && c.hasUnchanged();
        if (!continuesKeyChange && (pending() >= maxKeys || chars >= maxChars)) {
            flush();
        }
        if (keyFold != null) {
            keyFold.add(c);
        } else {
            rowFold.add(c);
        }
        chars += size(c.after()) + size(c.before());
        changes++;
    }

    /** Applies what is pending. */
    public void flush() throws SQLException {
        if (pending() > 0) {
            if (keyFold != null) {
                applier.apply(keyFold, shape, keyColumns);
                keyFold.clear();
            } else {
                applier.apply(rowFold, shape);
                rowFold.clear();
            }
            conn.commit();
        }
        count(changes);
        changes = 0;
        chars = 0;
    }

    private void count(long n) {
        if (applied != null) {
            applied.addAndGet(n);
        }
    }

    private int pending() {
        return keyFold != null ? keyFold.size() : rowFold.size();
    }

    private void use(RowShape next) {
        shape = next;
        List<String> pk = work.primaryKey();
        if (pk.isEmpty()) {
            keyFold = null;
            rowFold = new RowFold(next.size());
            return;
        }
        keyColumns = new int[pk.size()];
        for (int j = 0; j < pk.size(); j++) {
            keyColumns[j] = next.indexOf(pk.get(j));
            if (keyColumns[j] < 0) {
                throw new PgkbException.FatalException("cannot replay on " + work.id() + ": primary-key column "
                        + pk.get(j) + " is not in the writer schema " + next.names());
            }
        }
        rowFold = null;
        keyFold = new KeyFold(keyColumns, next.size());
    }

    private static long size(String[] row) {
        long n = 0;
        if (row != null) {
            for (String v : row) {
                n += v == null ? 1 : v.length() + 1;
            }
        }
        return n;
    }
}
