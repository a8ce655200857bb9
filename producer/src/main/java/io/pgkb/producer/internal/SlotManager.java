package io.pgkb.producer.internal;

import io.pgkb.schemas.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Reads, creates and drops the logical replication slot over a normal connection. */
public final class SlotManager {
    /** A row of pg_replication_slots; {@code invalidationReason} is null when the slot is usable. */
    public record SlotInfo(String name, String plugin, String database, boolean active, Integer activePid,
                           String walStatus, String invalidationReason, Lsn confirmedFlush) {
        public boolean invalidated() {
            return "lost".equals(walStatus) || invalidationReason != null;
        }
    }

    private SlotManager() {
    }

    public static Optional<SlotInfo> find(Connection c, String slot) throws SQLException {
        // invalidation_reason exists from PostgreSQL 17 on; going through jsonb keeps older servers working
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT s.plugin, s.database, s.active, s.active_pid, s.wal_status,
                       to_jsonb(s) ->> 'invalidation_reason', s.confirmed_flush_lsn::text
                FROM pg_replication_slots s WHERE s.slot_name = ?""")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int pid = rs.getInt(4);
                Integer activePid = rs.wasNull() ? null : pid;
                String flush = rs.getString(7);
                return Optional.of(new SlotInfo(slot, rs.getString(1), rs.getString(2), rs.getBoolean(3), activePid,
                        rs.getString(5), rs.getString(6), flush == null ? Lsn.ZERO : Lsn.parse(flush)));
            }
        }
    }

    /** Creates a pgoutput slot; returns its consistent point (where its stream starts). */
    public static Lsn create(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        }
    }

    public static void drop(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }

    /** Bytes of WAL the slot holds back: pg_current_wal_lsn() - confirmed_flush_lsn; -1 when unknown. */
    public static long lagBytes(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
