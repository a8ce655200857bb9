package io.pgkb.restorer.internal;

import static io.pgkb.restorer.internal.Sql.q;

import io.pgkb.schemas.PgkbException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Applies a folded batch set-wise: COPY the net changes into a staging table, then a few statements. Staging
 * columns are positional ({@code v<i>} value, {@code s<i>} "sent" flag, {@code k<j>} source key of a COPY entry),
 * so any column name works. Row counts are checked: a PATCH or a delete of a row the table does not hold means
 * the stream and the table disagree, and the restore stops rather than guess.
 */
final class SetApplier {
    private static final String STAGE = "pgkb_stage";
    private final Connection conn;
    private final CopyManager copy;
    private final WorkTable work;
    private final Phases phases;
    private RowShape stagedShape;

    SetApplier(Connection conn, WorkTable work, Phases phases) throws SQLException {
        this.phases = phases;
        this.conn = conn;
        this.copy = conn.unwrap(PGConnection.class).getCopyAPI();
        this.work = work;
    }

    /** Applies a primary-key fold; returns the rows changed. */
    long apply(KeyFold fold, RowShape shape, int[] keyColumns) throws SQLException {
        if (fold.size() == 0) {
            return 0;
        }
        long t0 = System.nanoTime();
        prepareStage(shape, keyColumns, false);
        int width = shape.size();
        long nDelete = 0;
        long nRow = 0;
        long nPatch = 0;
        long nCopy = 0;
        try (CopyWriter w = new CopyWriter(copy, "COPY " + STAGE + " FROM STDIN")) {
            for (Map.Entry<RowKey, KeyFold.Entry> e : fold.entries()) {
                KeyFold.Entry v = e.getValue();
                String[] key = e.getKey().values();
                String op;
                switch (v.kind()) {
                    case DELETED -> { op = "D"; nDelete++; }
                    case ROW -> { op = "R"; nRow++; }
                    case PATCH -> { op = "P"; nPatch++; }
                    default -> { op = "C"; nCopy++; }
                }
                w.field(op);
                String[] values = v.values(); // once: a row kept undecoded is decoded by this call
                for (int i = 0; i < width; i++) {
                    if (v.kind() == KeyFold.Kind.DELETED) {
                        w.field(keyValue(keyColumns, key, i));
                    } else {
                        w.field(v.sent(i) ? values[i] : keyValue(keyColumns, key, i));
                    }
                }
                for (int i = 0; i < width; i++) {
                    w.field(v.kind() == KeyFold.Kind.DELETED || v.sent(i));
                }
                for (int j = 0; j < keyColumns.length; j++) {
                    w.field(v.kind() == KeyFold.Kind.COPY ? v.source().values()[j] : null);
                }
                w.endRow();
            }
            w.finish();
        }
        t0 = phases.add(Phases.Phase.STAGE_COPY, t0);
        // without statistics the planner guesses and may hash-join against a full scan of the restored table
        analyzeStage();
        t0 = phases.add(Phases.Phase.ANALYZE, t0);
        String t = work.id().quoted();
        List<String> cols = shape.names();
        if (nCopy > 0) {
            // unsent columns of a moved row come from its old key's row as the batch started: read them first
            List<String> set = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                set.add("v" + i + " = CASE WHEN s.s" + i + " THEN s.v" + i + " ELSE o." + q(cols.get(i)) + " END");
            }
            List<String> match = new ArrayList<>();
            for (int j = 0; j < keyColumns.length; j++) {
                match.add("o." + q(cols.get(keyColumns[j])) + " = s.k" + j);
            }
            int n = Sql.exec(conn, "UPDATE " + STAGE + " s SET " + Sql.join(set) + ", op = 'R' FROM " + t + " o WHERE s.op = 'C' AND "
                    + String.join(" AND ", match));
            check(n, nCopy, "old rows of primary-key changes");
            nRow += nCopy;
        }
        String keyMatch = keyMatch(cols, keyColumns, "t", "s");
        if (nDelete > 0) {
            Sql.exec(conn, "DELETE FROM " + t + " t USING " + STAGE + " s WHERE s.op = 'D' AND " + keyMatch);
        }
        if (nRow > 0) {
            List<String> vs = new ArrayList<>();
            List<String> upd = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                vs.add("v" + i);
                if (!contains(keyColumns, i)) {
                    upd.add(q(cols.get(i)) + " = EXCLUDED." + q(cols.get(i)));
                }
            }
            List<String> pk = new ArrayList<>();
            for (int k : keyColumns) {
                pk.add(q(cols.get(k)));
            }
            Sql.exec(conn, "INSERT INTO " + t + " (" + Sql.join(cols.stream().map(Sql::q).toList()) + ") SELECT " + Sql.join(vs)
                    + " FROM " + STAGE + " WHERE op = 'R' ON CONFLICT (" + Sql.join(pk) + ") "
                    + (upd.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + Sql.join(upd)));
        }
        if (nPatch > 0) {
            List<String> set = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                if (!contains(keyColumns, i)) {
                    set.add(q(cols.get(i)) + " = CASE WHEN s.s" + i + " THEN s.v" + i + " ELSE t." + q(cols.get(i)) + " END");
                }
            }
            if (!set.isEmpty()) {
                int n = Sql.exec(conn, "UPDATE " + t + " t SET " + Sql.join(set) + " FROM " + STAGE + " s WHERE s.op = 'P' AND " + keyMatch);
                check(n, nPatch, "rows updated");
            }
        }
        phases.add(Phases.Phase.APPLY_SQL, t0);
        return nDelete + nRow + nPatch;
    }

    /** Applies a whole-row multiset delta (table without primary key); returns the rows changed. */
    long apply(RowFold fold, RowShape shape) throws SQLException {
        if (fold.size() == 0) {
            return 0;
        }
        long t0 = System.nanoTime();
        prepareStage(shape, new int[0], true);
        int width = shape.size();
        long toDelete = 0;
        long toInsert = 0;
        long id = 0;
        try (CopyWriter w = new CopyWriter(copy, "COPY " + STAGE + " FROM STDIN")) {
            for (Map.Entry<RowKey, long[]> e : fold.entries()) {
                long n = e.getValue()[0];
                w.field(Long.toString(id++));
                w.field(Long.toString(n));
                for (int i = 0; i < width; i++) {
                    w.field(e.getKey().values()[i]);
                }
                w.endRow();
                if (n < 0) {
                    toDelete -= n;
                } else {
                    toInsert += n;
                }
            }
            w.finish();
        }
        analyzeStage();
        String t = work.id().quoted();
        List<String> cols = shape.names();
        List<String> tv = new ArrayList<>();
        List<String> sv = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            tv.add("t1." + q(cols.get(i)));
            sv.add("s.v" + i);
        }
        if (toDelete > 0) {
            // rows are compared by their text form: every type has one, not every type has an equality operator
            int n = Sql.exec(conn, "DELETE FROM " + t + " t USING (SELECT m.tid FROM (SELECT t1.ctid AS tid, s.n, "
                    + "row_number() OVER (PARTITION BY s.id) AS rn FROM " + STAGE + " s JOIN " + t + " t1 ON ROW("
                    + Sql.join(tv) + ")::text = ROW(" + Sql.join(sv) + ")::text WHERE s.n < 0) m WHERE m.rn <= -m.n) d "
                    + "WHERE t.ctid = d.tid");
            check(n, toDelete, "rows deleted by full old row");
        }
        if (toInsert > 0) {
            List<String> vs = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                vs.add("s.v" + i);
            }
            Sql.exec(conn, "INSERT INTO " + t + " (" + Sql.join(cols.stream().map(Sql::q).toList()) + ") SELECT " + Sql.join(vs)
                    + " FROM " + STAGE + " s CROSS JOIN LATERAL generate_series(1, s.n) WHERE s.n > 0");
        }
        phases.add(Phases.Phase.APPLY_SQL, t0);
        return toDelete + toInsert;
    }

    /**
     * Row count and rough distributions are all the joins need: a sample of 3000 rows (statistics target 10, for
     * this transaction only) instead of the default 30000 keeps ANALYZE cheap for large batches.
     */
    private void analyzeStage() throws SQLException {
        Sql.exec(conn, "SET LOCAL default_statistics_target = 10");
        Sql.exec(conn, "ANALYZE " + STAGE);
    }

    private void prepareStage(RowShape shape, int[] keyColumns, boolean multiset) throws SQLException {
        if (shape.equals(stagedShape)) {
            Sql.exec(conn, "TRUNCATE " + STAGE);
            return;
        }
        Sql.exec(conn, "DROP TABLE IF EXISTS pg_temp." + STAGE);
        List<String> defs = new ArrayList<>();
        if (multiset) {
            defs.add("id bigint");
            defs.add("n bigint");
        } else {
            defs.add("op text");
        }
        for (int i = 0; i < shape.size(); i++) {
            defs.add("v" + i + " " + shape.columns().get(i).type());
        }
        if (!multiset) {
            for (int i = 0; i < shape.size(); i++) {
                defs.add("s" + i + " boolean");
            }
            for (int j = 0; j < keyColumns.length; j++) {
                defs.add("k" + j + " " + shape.columns().get(keyColumns[j]).type());
            }
        }
        Sql.exec(conn, "CREATE TEMP TABLE " + STAGE + " (" + Sql.join(defs) + ")");
        stagedShape = shape;
    }

    private static String keyValue(int[] keyColumns, String[] key, int column) {
        for (int j = 0; j < keyColumns.length; j++) {
            if (keyColumns[j] == column) {
                return key[j];
            }
        }
        return null;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static String keyMatch(List<String> cols, int[] keyColumns, String t, String s) {
        List<String> m = new ArrayList<>();
        for (int k : keyColumns) {
            m.add(t + "." + q(cols.get(k)) + " = " + s + ".v" + k);
        }
        return String.join(" AND ", m);
    }

    private void check(long actual, long expected, String what) {
        if (actual != expected) {
            throw disagreement(work.id(), what, actual, expected);
        }
    }

    /** The restore stops: the archive's changes do not fit the rows the table holds (never guess). */
    static PgkbException disagreement(io.pgkb.schemas.TableId table, String what, long actual, long expected) {
        return new PgkbException.FatalException("replay on " + table + " disagrees with the table: " + what + " "
                + actual + ", expected " + expected + " (the archive's changes do not fit the dump)");
    }
}
