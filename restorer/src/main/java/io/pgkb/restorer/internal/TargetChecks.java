package io.pgkb.restorer.internal;

import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.TreeSet;

/**
 * Refuses a target the restore could not write, before anything is printed or changed: a hot standby, a read-only
 * session, a role without CREATE where the restored tables go. Without these, the plan was printed and the first
 * CREATE failed after it.
 */
final class TargetChecks {
    private TargetChecks() {
    }

    static void checkWritable(Connection c, List<TableTarget> tables, String where) throws SQLException {
        if (bool(c, "SELECT pg_is_in_recovery()", null)) {
            throw new PgkbException.ConfigException("target " + where + " is a hot standby (in recovery, read-only): restore"
                    + " into a writable primary; nothing was changed");
        }
        if (bool(c, "SELECT current_setting('transaction_read_only') = 'on'", null)) {
            throw new PgkbException.ConfigException("target " + where + " is read-only (default_transaction_read_only is on"
                    + " for this role or database): restore into a writable database; nothing was changed");
        }
        for (String schema : new TreeSet<>(tables.stream().map(tt -> tt.target().schema()).toList())) {
            boolean exists = bool(c, "SELECT to_regnamespace(?) IS NOT NULL", TableId.quoteIdent(schema));
            boolean allowed = exists
                    ? bool(c, "SELECT has_schema_privilege(?, 'CREATE')", schema)
                    : bool(c, "SELECT has_database_privilege(current_database(), 'CREATE')", null);
            if (!allowed) {
                String role = text(c, "SELECT current_user", null);
                String on = exists ? "SCHEMA " + TableId.quoteIdent(schema) : "DATABASE " + TableId.quoteIdent(c.getCatalog());
                throw new PgkbException.ConfigException("permission denied: role " + role + " lacks CREATE on " + on + " in target "
                        + where + ", where the restore creates its tables: GRANT CREATE ON " + on + " TO " + TableId.quoteIdent(role)
                        + " (or restore as another role); nothing was changed");
            }
        }
    }

    private static boolean bool(Connection c, String sql, String arg) throws SQLException {
        String v = text(c, sql, arg);
        return "true".equals(v) || "t".equals(v);
    }

    private static String text(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
