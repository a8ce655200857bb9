package io.pgkb.archiver.dump;

import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * PostgreSQL session advisory locks, one per (archive prefix, table), so that however many archivers and
 * {@code pgkb dump} runs share a database, one dumps a given table at a time. The locks live as long as this
 * object's connection: a crashed holder releases them with its session.
 */
public final class DumpLock implements AutoCloseable {
    private final Connection conn;
    private final List<Long> held = new ArrayList<>();

    private DumpLock(Connection conn) {
        this.conn = conn;
    }

    public static DumpLock connect(PgUrl pg) {
        Properties props = pg.properties();
        props.setProperty("ApplicationName", "pgkb-dump-lock");
        try {
            return new DumpLock(DriverManager.getConnection(pg.jdbcUrl(), props));
        } catch (SQLException e) {
            throw PgkbException.connecting("cannot connect to " + pg.describe() + ": " + Messages.firstLine(e), e);
        }
    }

    /** The advisory lock key of a table's dumps: the first 8 bytes of SHA-256("pgkb.dump\0" prefix "\0" schema.table). */
    public static long key(String prefix, TableId table) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] h = sha.digest(("pgkb.dump\0" + prefix + "\0" + table.schema() + "\0" + table.table())
                    .getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tries to lock every table; all or none (locks taken so far are released on failure). */
    public boolean tryLock(String prefix, List<TableId> tables) {
        List<Long> got = new ArrayList<>();
        try {
            for (TableId t : new TreeSet<>(tables)) {
                long k = key(prefix, t);
                if (!bool("SELECT pg_try_advisory_lock(?)", k)) {
                    for (long g : got) {
                        bool("SELECT pg_advisory_unlock(?)", g);
                    }
                    return false;
                }
                got.add(k);
            }
            held.addAll(got);
            return true;
        } catch (SQLException e) {
            throw new PgkbException.FatalException("advisory lock for the dump failed: " + Messages.firstLine(e));
        }
    }

    /** Waits for every table's lock, in a fixed order so that two waiters cannot deadlock. */
    public void lock(String prefix, List<TableId> tables) {
        try {
            for (TableId t : new TreeSet<>(tables)) {
                long k = key(prefix, t);
                bool("SELECT pg_advisory_lock(?) IS NULL", k);
                held.add(k);
            }
        } catch (SQLException e) {
            throw new PgkbException.FatalException("advisory lock for the dump failed: " + Messages.firstLine(e));
        }
    }

    public void unlockAll() {
        try {
            for (long k : held) {
                bool("SELECT pg_advisory_unlock(?)", k);
            }
            held.clear();
        } catch (SQLException e) {
            throw new PgkbException.FatalException("advisory unlock failed: " + Messages.firstLine(e));
        }
    }

    private boolean bool(String sql, long k) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, k);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Closing the session releases every lock it holds. */
    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            // the server releases session locks with the session anyway
        }
    }
}
