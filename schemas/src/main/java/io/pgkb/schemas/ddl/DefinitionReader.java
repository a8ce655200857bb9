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
        Long oid;
        try (PreparedStatement ps = conn.prepareStatement("SELECT pg_catalog.to_regclass(?)::pg_catalog.int8")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                oid = (Long) rs.getObject(1);
            }
        }
        if (oid == null) {
            throw new PgkbException.ConfigException("table " + table.quoted() + " does not exist in database " + conn.getCatalog());
        }
        return read(conn, oid);
    }

    /** The definition of the relation {@code oid}; ConfigException when there is none. */
    public static TableDefinition read(Connection conn, long oid) throws SQLException {
        String json = readJson(conn, oid);
        if (json == null) {
            throw new PgkbException.ConfigException("relation " + oid + " does not exist in database " + conn.getCatalog());
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
