package io.pgkb.archiver.dump.internal;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.PgUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temporary logical slot created on a replication connection with an exported snapshot. Its consistent
 * point is D: the snapshot sees exactly the transactions whose commit record starts before D. The snapshot can
 * be imported only while this connection stays open and idle; {@link #close()} drops the slot (it is
 * TEMPORARY, so a crash drops it too).
 */
public final class ExportedSnapshot implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExportedSnapshot.class);

    private final Connection replication;
    private final String slot;
    private final Lsn consistentPoint;
    private final String snapshotName;

    private ExportedSnapshot(Connection replication, String slot, Lsn consistentPoint, String snapshotName) {
        this.replication = replication;
        this.slot = slot;
        this.consistentPoint = consistentPoint;
        this.snapshotName = snapshotName;
    }

    public static ExportedSnapshot create(PgUrl pg) {
        Properties props = pg.properties();
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        // replication commands only work with the simple query protocol
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        props.setProperty("ApplicationName", "pgkb-dump");
        Connection conn;
        try {
            conn = DriverManager.getConnection(pg.jdbcUrl(), props);
        } catch (SQLException e) {
            throw new PgkbException.FatalException("cannot open a replication connection to " + pg.describe()
                    + " (the dump needs the REPLICATION privilege and wal_level=logical): " + Messages.firstLine(e));
        }
        String slot = "pgkb_dump_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try {
            int major = conn.getMetaData().getDatabaseMajorVersion();
            String sql = major >= 15
                    ? "CREATE_REPLICATION_SLOT " + slot + " TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export')"
                    : "CREATE_REPLICATION_SLOT " + slot + " TEMPORARY LOGICAL pgoutput EXPORT_SNAPSHOT";
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (!rs.next()) {
                    throw new PgkbException.FatalException("CREATE_REPLICATION_SLOT returned no row on " + pg.describe());
                }
                Lsn d = Lsn.parse(rs.getString("consistent_point"));
                String snapshot = rs.getString("snapshot_name");
                if (snapshot == null) {
                    throw new PgkbException.FatalException("CREATE_REPLICATION_SLOT exported no snapshot on " + pg.describe());
                }
                log.info("dump snapshot exported slot={} consistent_point={} snapshot={}", slot, d, snapshot);
                return new ExportedSnapshot(conn, slot, d, snapshot);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(conn);
            if (e instanceof PgkbException pe) {
                throw pe;
            }
            throw new PgkbException.FatalException("cannot create the temporary dump slot on " + pg.describe() + ": "
                    + Messages.firstLine(e));
        }
    }

    public Lsn consistentPoint() {
        return consistentPoint;
    }

    public String snapshotName() {
        return snapshotName;
    }

    public String slot() {
        return slot;
    }

    @Override
    public void close() {
        closeQuietly(replication);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.warn("closing the dump replication connection failed: {}", Messages.firstLine(e));
        }
    }
}
