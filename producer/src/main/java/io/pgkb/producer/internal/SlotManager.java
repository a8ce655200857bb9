package io.pgkb.producer.internal;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads, creates and drops the logical replication slot over a normal connection, and decides whether a slot can be
 * streamed from: every refusal about the slot, with what the operator can do, is spelled here.
 */
public final class SlotManager {
    /** What an operator can do about a slot that lost changes. */
    private static final String RECREATE = "; restart with --recreate-slot to record a GAP in the backup and continue";

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

    /**
     * An existing slot another program could own: refused unless it is a pgoutput slot of {@code database} that no
     * one is reading. Whether it was invalidated is the caller's decision ({@link #invalidated}).
     */
    public static void checkReusable(SlotInfo s, String database) {
        if (!"pgoutput".equals(s.plugin())) {
            throw new PgkbException.ConfigException("replication slot " + s.name() + " uses output plugin " + s.plugin()
                    + ", not pgoutput: choose another --slot (or drop that slot if nothing else needs it)");
        }
        if (!database.equals(s.database())) {
            throw new PgkbException.ConfigException("replication slot " + s.name() + " belongs to database " + s.database()
                    + ", not " + database + ": choose another --slot");
        }
        if (s.active()) {
            throw active(s.name(), s.activePid());
        }
    }

    /** What an invalidated slot lost, without the remedy (the caller adds it or applies it). */
    public static String invalidated(SlotInfo s) {
        return "replication slot " + s.name() + " was invalidated (wal_status=" + s.walStatus()
                + ", invalidation_reason=" + s.invalidationReason() + "): changes after " + s.confirmedFlush()
                + " are lost from the stream";
    }

    /** The error of a slot that lost changes ({@code what}), naming the remedy. */
    public static PgkbException.FatalException lost(String what) {
        return new PgkbException.FatalException(what + RECREATE);
    }

    public static PgkbException.FatalException active(String slot, Integer pid) {
        return new PgkbException.FatalException("replication slot " + slot + " is active"
                + (pid == null ? "" : " (used by PostgreSQL backend pid " + pid + ")")
                + ": another producer is reading it; one producer per slot");
    }

    /** Before each replication session: the slot is still there and still valid. */
    public static void checkStillUsable(Connection c, String slot, Lsn confirmedEnd) throws SQLException {
        Optional<SlotInfo> s = find(c, slot);
        if (s.isEmpty()) {
            throw lost("replication slot " + slot + " disappeared while the producer was running: changes since "
                    + confirmedEnd + " may be lost");
        }
        if (s.get().invalidated()) {
            throw lost(invalidated(s.get()));
        }
    }

    /** Why START_REPLICATION failed, when it is about the slot; null otherwise. */
    public static PgkbException startFailure(SQLException e, String slot) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return switch (state) {
            case "55006" -> active(slot, null);
            case "42704" -> new PgkbException.FatalException("replication slot " + slot + " does not exist: "
                    + Messages.firstLine(e.getMessage()) + "; restart with --recreate-slot to record a GAP and continue");
            case "55000" -> new PgkbException.FatalException("replication slot " + slot + " cannot be read: "
                    + Messages.firstLine(e.getMessage()) + "; restart with --recreate-slot to record a GAP and continue");
            default -> null;
        };
    }
}
