package io.pgkb.producer.internal;

import io.pgkb.schemas.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Type names ({@code format_type(oid, typmod)}) and primary keys from the catalog, over a normal connection,
 * cached: type names of an OID/typmod never change, and a relation version asks once.
 */
public final class CatalogLookup implements KeyResolver {
    private record TypeKey(int oid, int typmod) {
    }

    private final PgConnections connections;
    private final Map<TypeKey, String> typeNames = new ConcurrentHashMap<>();
    private Connection conn;

    public CatalogLookup(PgConnections connections) {
        this.connections = connections;
    }

    public synchronized String typeName(int oid, int typmod) {
        TypeKey k = new TypeKey(oid, typmod);
        String cached = typeNames.get(k);
        if (cached != null) {
            return cached;
        }
        String name = withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT format_type(?::oid, ?)")) {
                ps.setInt(1, oid);
                if (typmod < 0) {
                    ps.setNull(2, Types.INTEGER);
                } else {
                    ps.setInt(2, typmod);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        typeNames.put(k, name);
        return name;
    }

    @Override
    public synchronized List<String> primaryKey(TableId table) {
        return withConnection(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT a.attname FROM pg_index i
                    JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                    JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                    WHERE i.indisprimary AND n.nspname = ? AND t.relname = ? ORDER BY k.ord""")) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(Query<T> q) {
        try {
            if (conn == null || conn.isClosed()) {
                conn = connections.normal();
            }
            return q.run(conn);
        } catch (SQLException e) {
            PgConnections.closeQuietly(conn);
            conn = null;
            throw connections.translate(e, "");
        }
    }

    public synchronized void close() {
        PgConnections.closeQuietly(conn);
        conn = null;
    }
}
