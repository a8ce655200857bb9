package io.pgkb.archiver.dump.internal;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** What the manifest records about a table, read from the catalog inside the dump's snapshot. */
public record TableDescription(TableId table, long oid, char relkind, List<DumpManifest.Column> columns,
                               List<String> primaryKey) {

    /** Reads the table's description; ConfigException naming the table when it is missing or not a table. */
    public static TableDescription read(Connection conn, TableId table) throws SQLException {
        long oid;
        char relkind;
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT c.oid, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PgkbException.ConfigException("table " + table.quoted() + " does not exist in database "
                            + conn.getCatalog());
                }
                oid = rs.getLong(1);
                relkind = rs.getString(2).charAt(0);
            }
        }
        if (relkind != 'r' && relkind != 'p') {
            throw new PgkbException.ConfigException(table.quoted() + " is not a table (relkind '" + relkind + "')");
        }
        List<DumpManifest.Column> columns = new ArrayList<>();
        // generated columns are recomputed on load; COPY refuses them in a column list
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid, a.attnotnull, a.attnum "
                        + "FROM pg_catalog.pg_attribute a WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped "
                        + "AND a.attgenerated = '' ORDER BY a.attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new DumpManifest.Column(rs.getString(1), rs.getString(2), rs.getLong(3),
                            rs.getBoolean(4), rs.getInt(5)));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new PgkbException.ConfigException("table " + table.quoted() + " has no columns to dump");
        }
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT a.attname FROM pg_catalog.pg_index i "
                        + "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, pos) "
                        + "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                        + "WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.pos")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1));
                }
            }
        }
        return new TableDescription(table, oid, relkind, columns, pk);
    }

    /** COPY of exactly the manifest's columns; a partitioned table is read through its root. */
    public String copyOutSql() {
        String cols = DumpFormat.columnList(columns);
        if (relkind == 'p') {
            return "COPY (SELECT " + cols.substring(1, cols.length() - 1) + " FROM " + table.quoted() + ") TO STDOUT";
        }
        return "COPY " + table.quoted() + " " + cols + " TO STDOUT";
    }
}
