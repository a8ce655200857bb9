package io.pgkb.testkit.faults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A table's rows at a quiesced moment: each primary key with the md5 of its row's text, and the md5 of the whole
 * table (rows in key order). Comparing a restored copy with it counts the rows lost (missing or different) and the
 * rows that should not be there.
 */
record TableSnapshot(String table, String md5, Map<String, String> rows) {

    static TableSnapshot read(Connection c, String table) throws SQLException {
        Map<String, String> rows = new HashMap<>();
        String md5;
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id::text, md5(t::text) FROM " + table + " t")) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT md5(coalesce(string_agg(md5(t::text), ',' ORDER BY id), '')) FROM " + table + " t")) {
                rs.next();
                md5 = rs.getString(1);
            }
        }
        return new TableSnapshot(table, md5, rows);
    }

    /** Rows of this snapshot that the other lacks or holds with different content. */
    long lostIn(TableSnapshot restored) {
        return rows.entrySet().stream().filter(e -> !e.getValue().equals(restored.rows.get(e.getKey()))).count();
    }

    /** Rows of the other that this snapshot does not have. */
    long extraIn(TableSnapshot restored) {
        return restored.rows.keySet().stream().filter(k -> !rows.containsKey(k)).count();
    }
}
