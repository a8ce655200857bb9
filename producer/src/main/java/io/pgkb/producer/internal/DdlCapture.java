package io.pgkb.producer.internal;

import io.pgkb.producer.ProducerSettings.DdlCaptureMode;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.ddl.DefinitionSql;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event trigger that captures DDL in stream order ({@code ddl-capture.sql}): one function and three event
 * triggers in schema {@code pgkb_ddl}, shared by every producer of the database (each keeps the messages naming its
 * publication). Installed when the role may create event triggers, used when already installed.
 */
public final class DdlCapture {
    private static final Logger log = LoggerFactory.getLogger(DdlCapture.class);
    static final String[] TRIGGERS = {"pgkb_ddl_ddl_command_end", "pgkb_ddl_table_rewrite", "pgkb_ddl_sql_drop"};
    /**
     * The definition after the command ({@link io.pgkb.schemas.ddl.TableDefinition}'s format), for the table whose oid
     * is in the function's variable {@code rel}: the one catalog query of {@link DefinitionSql}, embedded. The
     * function's {@code search_path = pg_catalog, pg_temp} gives the same names as the {@code ''} that query asks for
     * (pg_catalog is searched either way), with pg_temp last as a SECURITY DEFINER function needs.
     */
    static final String DEFINITION_EXPRESSION = "(" + DefinitionSql.forPlpgsql("rel") + ")";
    private static final String SQL = script();
    /** The function's comment: names the format and the exact script, so a changed script is installed again. */
    static final String VERSION = "pgkb DDL capture, format 1, sql " + digest(SQL);

    private DdlCapture() {
    }

    /** The install script a DBA runs by hand ({@code pgkb produce --print-ddl-capture-sql}); repeatable. */
    public static String installSql() {
        return SQL.replace("{{version}}", VERSION);
    }

    /**
     * Makes capture usable as the mode says: true when the trigger is installed and enabled ALWAYS afterwards.
     *
     * @throws PgkbException.ConfigException under {@code require} when it is not possible (exit 2)
     */
    public static boolean prepare(Connection c, DdlCaptureMode mode, String where) throws SQLException {
        if (mode == DdlCaptureMode.OFF) {
            log.info("DDL capture off (--ddl-capture off): DDL records are not published");
            return false;
        }
        State s = state(c);
        if (s == State.CURRENT) {
            log.info("DDL capture on: event triggers pgkb_ddl_* installed");
            return true;
        }
        String refused = tryInstall(c);
        if (refused == null) {
            log.info("DDL capture on: installed event triggers pgkb_ddl_* ({})", VERSION);
            return true;
        }
        if (s == State.OTHER_VERSION) {
            log.warn("DDL capture on with an event trigger installed by another pgkb version (cannot replace it: {}); "
                    + "a DBA can run the SQL of pgkb produce --print-ddl-capture-sql", refused);
            return true;
        }
        String what = "DDL capture is not possible on " + where + ": " + refused + " (event triggers need a superuser, on "
                + "managed services their admin role); a DBA installs it with the SQL printed by pgkb produce "
                + "--print-ddl-capture-sql";
        if (mode == DdlCaptureMode.REQUIRE) {
            throw new PgkbException.ConfigException(what);
        }
        log.warn("{}. Until then DDL capture is off: restores are exact for rows and for DDL a later change made "
                + "visible, and pgkb list and every restore plan say that capture was off", what);
        return false;
    }

    enum State { ABSENT, CURRENT, OTHER_VERSION }

    /** Whether all three triggers exist, enabled ALWAYS, and with this script's function. */
    static State state(Connection c) throws SQLException {
        StringBuilder names = new StringBuilder();
        for (String t : TRIGGERS) {
            names.append(names.length() == 0 ? "" : ", ").append('\'').append(t).append('\'');
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE evtenabled = 'A'), "
                     + "bool_and(obj_description(evtfoid, 'pg_proc') IS NOT DISTINCT FROM '" + VERSION + "') "
                     + "FROM pg_event_trigger WHERE evtname IN (" + names + ")")) {
            rs.next();
            if (rs.getInt(1) < TRIGGERS.length) {
                return State.ABSENT;
            }
            return rs.getBoolean(2) ? State.CURRENT : State.OTHER_VERSION;
        }
    }

    /** Runs the install script in one transaction; null when done, else why it was refused. */
    private static String tryInstall(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute(installSql());
            c.commit();
            return null;
        } catch (SQLException e) {
            c.rollback();
            if ("42501".equals(e.getSQLState())) {
                return "role " + c.getMetaData().getUserName() + " may not create event triggers";
            }
            return "installing the event trigger failed: " + Messages.firstLine(e.getMessage());
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static String script() {
        try (InputStream in = DdlCapture.class.getResourceAsStream("/io/pgkb/producer/ddl-capture.sql")) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/pgkb/producer/ddl-capture.sql");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("{{definition}}", DEFINITION_EXPRESSION);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
