package io.pgkb.schemas.ddl;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads a table's {@link TableDefinition} over JDBC, in the connection's current transaction (a dump calls it inside
 * its snapshot, so the definition is the one at D). Sets {@code search_path = ''} for the query and puts the
 * session's value back afterwards.
 */
public final class DefinitionReader {
    private DefinitionReader() {
    }

    /** The definition of {@code table}; ConfigException naming it when it does not exist. */
    public static TableDefinition read(Connection conn, TableId table) throws SQLException {
        long oid;
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PgkbException.ConfigException("table " + table.quoted() + " does not exist in database "
                            + conn.getCatalog());
                }
                oid = rs.getLong(1);
            }
        }
        String json = readJson(conn, oid);
        if (json == null) {
            throw new PgkbException.ConfigException("table " + table.quoted() + " vanished while its definition was read");
        }
        return TableDefinition.fromJson(json);
    }

    /** The raw JSON for a relation oid, null when there is none. */
    public static String readJson(Connection conn, long oid) throws SQLException {
        String path = query(conn, "SELECT pg_catalog.current_setting('search_path')", null);
        query(conn, "SELECT pg_catalog.set_config('search_path', '', false)", null);
        String json;
        try {
            json = query(conn, DefinitionSql.forJdbc(), oid);
        } catch (SQLException e) {
            // in a transaction the failure rolled the setting back with it; in autocommit it was committed
            if (conn.getAutoCommit()) {
                restore(conn, path, e);
            }
            throw e;
        }
        restore(conn, path, null);
        return json;
    }

    private static void restore(Connection conn, String path, SQLException failure) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT pg_catalog.set_config('search_path', ?, false)")) {
            ps.setString(1, path);
            ps.execute();
        } catch (SQLException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
    }

    private static String query(Connection conn, String sql, Long oid) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (oid != null) {
                ps.setLong(1, oid);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
