package io.pgkb.producer.internal;

import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.PgUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;

/**
 * Opens the producer's PostgreSQL connections. Both run with the settings that make text forms canonical
 * (DateStyle=ISO, IntervalStyle=postgres, TimeZone=UTC, extra_float_digits=3, bytea_output=hex): the walsender
 * formats every value of the stream with them. Connection failures become one-line errors that name the server.
 */
public final class PgConnections {
    public static final String SESSION_OPTIONS =
            "-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex";

    private final PgUrl url;

    public PgConnections(PgUrl url) {
        this.url = url;
    }

    public PgUrl url() {
        return url;
    }

    /** A normal connection for catalog queries and publication management. */
    public Connection normal() {
        Properties p = url.properties();
        p.setProperty(PGProperty.OPTIONS.getName(), SESSION_OPTIONS);
        p.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), "10");
        p.setProperty(PGProperty.TCP_KEEP_ALIVE.getName(), "true");
        return open(p, "");
    }

    /** A logical replication connection (replication=database). */
    public Connection replication() {
        Properties p = url.properties();
        p.setProperty(PGProperty.OPTIONS.getName(), SESSION_OPTIONS);
        p.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), "10");
        p.setProperty(PGProperty.TCP_KEEP_ALIVE.getName(), "true");
        p.setProperty(PGProperty.REPLICATION.getName(), "database");
        p.setProperty(PGProperty.ASSUME_MIN_SERVER_VERSION.getName(), "10");
        p.setProperty(PGProperty.PREFER_QUERY_MODE.getName(), "simple");
        Connection c = open(p, " (replication connection)");
        try (var st = c.createStatement()) {
            // pgjdbc sends the JVM's time zone as a startup parameter, which wins over "options"
            st.execute("SET TimeZone = 'UTC'");
        } catch (SQLException e) {
            closeQuietly(c);
            throw translate(e, " (replication connection)");
        }
        return c;
    }

    private Connection open(Properties p, String what) {
        try {
            return DriverManager.getConnection(url.jdbcUrl(), p);
        } catch (SQLException e) {
            throw translate(e, what);
        }
    }

    /** One-line errors for what an operator can fix; everything else is worth retrying. */
    public PgkbException translate(SQLException e, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = "PostgreSQL " + url.describe() + what;
        if (state.equals("28P01") || state.equals("28000")) {
            return new PgkbException.ConfigException("cannot log in to " + where + ": " + Messages.firstLine(e.getMessage())
                    + " (check --pg user and password, PGPASSWORD, and pg_hba.conf)");
        }
        if (PgkbException.isTlsRejection(e)) {
            return new PgkbException.ConfigException("cannot connect to " + where + ": " + Messages.firstLine(e.getMessage())
                    + PgkbException.TLS_HINT_PG, e);
        }
        if (state.equals("3D000")) {
            return new PgkbException.ConfigException(where + ": " + Messages.firstLine(e.getMessage()));
        }
        if (state.equals("42501")) {
            return new PgkbException.ConfigException(where + ": " + Messages.firstLine(e.getMessage())
                    + " (the producer's role needs REPLICATION and SELECT on the published tables)");
        }
        return new PgkbException.RetriableException("cannot reach " + where + ": " + Messages.firstLine(e.getMessage()), e);
    }

    public static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure: the failure is what matters
            }
        }
    }
}
