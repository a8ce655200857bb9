package io.pgkb.bench.restore;

import io.pgkb.restorer.SplitCopy;
import io.pgkb.testkit.LocalPostgres;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.postgresql.PGConnection;

/** What the restore benchmark measures a restore against: COPY of the final state, and statement-by-statement replay. */
final class Baselines {
    private Baselines() {
    }

    /** The baseline: one statement per change, one transaction per 10 changes, as the source ran them. */
    static void replay(Connection c, int rows, int changes, int hot, int limit) throws Exception {
        c.setAutoCommit(false);
        StringBuilder cols = new StringBuilder();
        StringBuilder marks = new StringBuilder();
        StringBuilder sets = new StringBuilder();
        for (int k = 1; k <= SyntheticArchive.WIDE; k++) {
            cols.append(", e").append(k);
            marks.append(", ?");
            sets.append(", e").append(k).append(" = ?");
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO replayed (id, v, s" + cols + ") VALUES (?, ?, ?" + marks + ")");
             PreparedStatement upd = c.prepareStatement("UPDATE replayed SET v = ?, s = ?" + sets + " WHERE id = ?");
             PreparedStatement del = c.prepareStatement("DELETE FROM replayed WHERE id = ?")) {
            SyntheticArchive.generate(rows, changes, hot, (i, op, id, v) -> {
                if (i >= limit) {
                    return;
                }
                switch (op) {
                    case INSERT -> {
                        ins.setLong(1, id);
                        ins.setInt(2, v);
                        ins.setString(3, "changed " + i);
                        for (int k = 1; k <= SyntheticArchive.WIDE; k++) {
                            ins.setString(3 + k, SyntheticArchive.extra(k, v));
                        }
                        ins.executeUpdate();
                    }
                    case UPDATE -> {
                        upd.setInt(1, v);
                        upd.setString(2, "changed " + i);
                        for (int k = 1; k <= SyntheticArchive.WIDE; k++) {
                            upd.setString(2 + k, SyntheticArchive.extra(k, v));
                        }
                        upd.setLong(3 + SyntheticArchive.WIDE, id);
                        upd.executeUpdate();
                    }
                    default -> {
                        del.setLong(1, id);
                        del.executeUpdate();
                    }
                }
                if (i % 10 == 9) {
                    c.commit();
                }
            });
            c.commit();
        }
        c.setAutoCommit(true);
    }

    /**
     * Seconds to COPY {@code file} into {@code table} spread over LOAD_CONNECTIONS connections the way the restore
     * spreads its load ({@link SplitCopy}, {@code c} the first), then run {@code after} on {@code c}, in its transaction.
     */
    static double splitCopyIn(LocalPostgres pg, Connection c, String table, Path file, String after) throws Exception {
        long t0 = System.nanoTime();
        c.setAutoCommit(false);
        try (SplitCopy copy = new SplitCopy(c, () -> {
                 Connection other = pg.connect("tgt");
                 other.setAutoCommit(false);
                 return other;
             }, RestoreBench.LOAD_CONNECTIONS, "COPY " + table + " FROM STDIN");
             InputStream in = Files.newInputStream(file)) {
            copy.writeRows(in);
            copy.finish();
        }
        try (Statement st = c.createStatement()) {
            st.execute(after);
        }
        c.commit();
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds to COPY {@code file} in with {@code sql}, then run {@code after} (if any), in one transaction. */
    static double copyIn(Connection c, String sql, Path file, String after) throws Exception {
        long t0 = System.nanoTime();
        c.setAutoCommit(false);
        try (InputStream in = Files.newInputStream(file)) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, in, 1 << 16);
        }
        if (after != null) {
            try (Statement st = c.createStatement()) {
                st.execute(after);
            }
        }
        c.commit();
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }
}
