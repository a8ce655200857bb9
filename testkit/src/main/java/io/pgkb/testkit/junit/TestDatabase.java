package io.pgkb.testkit.junit;

import io.pgkb.testkit.internal.PostgresServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A database of its own for one test class, on the shared PostgreSQL server. Every helper opens its own
 * short connection, so the helpers keep working after a server restart.
 */
public final class TestDatabase {
    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public String host() {
        return server.host();
    }

    public int port() {
        return server.port();
    }

    public String user() {
        return server.user();
    }

    public String password() {
        return server.password();
    }

    /** {@code jdbc:postgresql://host:port/name}, without credentials (see {@link #properties()}). */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + name;
    }

    /** {@code jdbc:postgresql://host:port/name?user=..&password=..}, for code that takes only a URL. */
    public String jdbcUrlWithCredentials() {
        return jdbcUrl() + "?user=" + encode(user()) + "&password=" + encode(password());
    }

    /** {@code postgresql://user:password@host:port/name}, the form CLI options such as {@code --pg} take. */
    public String uri() {
        return "postgresql://" + encode(user()) + ":" + encode(password()) + "@" + host() + ":" + port() + "/" + name;
    }

    /** {@code postgresql://user@host:port/name}: no password; give it through {@link #environment()}. */
    public String uriWithoutPassword() {
        return "postgresql://" + encode(user()) + "@" + host() + ":" + port() + "/" + name;
    }

    /** PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE for this database. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host());
        env.put("PGPORT", String.valueOf(port()));
        env.put("PGUSER", user());
        env.put("PGPASSWORD", password());
        env.put("PGDATABASE", name);
        return env;
    }

    /** user and password for {@link DriverManager#getConnection(String, Properties)}. */
    public Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", user());
        p.setProperty("password", password());
        return p;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), properties());
    }

    /** Runs each statement in its own transaction (autocommit). */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                try {
                    st.execute(s);
                } catch (SQLException e) {
                    throw new IllegalStateException("failed: " + s + ": " + e.getMessage(), e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the single row the query returns (null for SQL NULL). */
    public String queryForString(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            String value = rs.getString(1);
            if (rs.next()) {
                throw new IllegalStateException("more than one row from: " + sql);
            }
            return value;
        } catch (SQLException e) {
            throw new IllegalStateException("failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    public long queryForLong(String sql) {
        String value = queryForString(sql);
        if (value == null) {
            throw new IllegalStateException("NULL from: " + sql);
        }
        return Long.parseLong(value);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "TestDatabase{" + jdbcUrl() + "}";
    }
}
