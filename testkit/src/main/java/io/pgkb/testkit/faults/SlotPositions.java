package io.pgkb.testkit.faults;

import io.pgkb.testkit.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The source's WAL position and the producer's slot, in bytes from 0/0, as the campaign and the restart measurement
 * read them: each on a connection of its own, because PostgreSQL may be restarting between two questions.
 */
final class SlotPositions {
    private final LocalPostgres pg;
    private final String database;
    private final String slot;

    SlotPositions(LocalPostgres pg, String database, String slot) {
        this.pg = pg;
        this.database = database;
        this.slot = slot;
    }

    long walLsn() throws SQLException {
        return queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
    }

    /** Whether the slot's confirmed flush position is past {@code lsn} (the producer confirmed what came before it). */
    boolean confirmedPast(long lsn) throws SQLException {
        return Long.compareUnsigned(queryLong("SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::bigint"
                + " FROM pg_replication_slots WHERE slot_name = '" + slot + "'"), lsn) > 0;
    }

    /** How much WAL the slot holds back. */
    long lagBytes() throws SQLException {
        return queryLong("SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    /** The first column of the first row ({@code 0} without one). */
    long queryLong(String sql) throws SQLException {
        try (Connection c = pg.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
