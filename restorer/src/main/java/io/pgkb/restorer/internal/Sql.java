package io.pgkb.restorer.internal;

import io.pgkb.schemas.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Small helpers for building statements; every identifier goes through {@link TableId#quoteIdent}. */
final class Sql {
    private Sql() {
    }

    static String q(String ident) {
        return TableId.quoteIdent(ident);
    }

    static String join(List<String> parts) {
        return String.join(", ", parts);
    }

    static int exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
