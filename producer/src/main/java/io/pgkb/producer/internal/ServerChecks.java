package io.pgkb.producer.internal;

import io.pgkb.schemas.PgkbException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Checks the server settings and privileges the producer needs, with the fix in each message. */
public final class ServerChecks {
    private ServerChecks() {
    }

    public static void check(Connection c, String where) throws SQLException {
        checkWalLevel(query(c, "SHOW wal_level"), where);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT current_user, rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next() && !rs.getBoolean(2)) {
                throw new PgkbException.ConfigException("role " + rs.getString(1) + " on " + where
                        + " lacks the REPLICATION privilege: ALTER ROLE " + io.pgkb.schemas.TableId.quoteIdent(rs.getString(1))
                        + " REPLICATION (as a superuser)");
            }
        }
    }

    /** Fails unless wal_level is logical; the message names the setting and the fix. */
    public static void checkWalLevel(String walLevel, String where) {
        if (!"logical".equals(walLevel)) {
            throw new PgkbException.ConfigException("wal_level is '" + walLevel + "' on " + where
                    + ", logical decoding needs wal_level = logical: run ALTER SYSTEM SET wal_level = logical and restart PostgreSQL");
        }
    }

    static String query(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
