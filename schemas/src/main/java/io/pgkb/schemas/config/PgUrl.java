package io.pgkb.schemas.config;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A PostgreSQL connection as given to {@code --pg}/{@code --target}: a {@code postgresql://} URI, a
 * {@code jdbc:postgresql:} URL, or nothing; PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE fill in what the
 * URL leaves out, as in every PostgreSQL tool. The password is kept out of {@link #describe()} and
 * {@link #toString()} so it never reaches a log.
 */
public final class PgUrl {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> params;

    private PgUrl(String host, int port, String database, String user, String password, Map<String, String> params) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.params = params;
    }

    public static PgUrl parse(String url) {
        return parse(url, System.getenv());
    }

    public static PgUrl parse(String url, Map<String, String> env) {
        String host = null;
        Integer port = null;
        String db = null;
        String user = null;
        String password = null;
        Map<String, String> params = new LinkedHashMap<>();
        if (url != null && !url.isBlank()) {
            String rest;
            if (url.startsWith("jdbc:postgresql://")) {
                rest = url.substring("jdbc:postgresql://".length());
            } else if (url.startsWith("postgresql://")) {
                rest = url.substring("postgresql://".length());
            } else if (url.startsWith("postgres://")) {
                rest = url.substring("postgres://".length());
            } else {
                throw new IllegalArgumentException("not a PostgreSQL URL (postgresql://user@host:5432/db or jdbc:postgresql://host:5432/db): '"
                        + redact(url) + "'");
            }
            int q = rest.indexOf('?');
            String query = q >= 0 ? rest.substring(q + 1) : "";
            rest = q >= 0 ? rest.substring(0, q) : rest;
            int slash = rest.indexOf('/');
            String authority = slash >= 0 ? rest.substring(0, slash) : rest;
            if (slash >= 0 && slash + 1 < rest.length()) {
                db = dec(rest.substring(slash + 1));
            }
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = authority.substring(0, at);
                authority = authority.substring(at + 1);
                int colon = userInfo.indexOf(':');
                user = dec(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
                password = colon >= 0 ? dec(userInfo.substring(colon + 1)) : null;
            }
            if (!authority.isEmpty()) {
                int colon = authority.lastIndexOf(':');
                if (colon >= 0 && !authority.endsWith("]")) {
                    host = authority.substring(0, colon);
                    try {
                        port = Integer.parseInt(authority.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("bad port in PostgreSQL URL '" + redact(url) + "'");
                    }
                } else {
                    host = authority;
                }
            }
            for (String kv : query.split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = dec(eq >= 0 ? kv.substring(0, eq) : kv);
                String v = eq >= 0 ? dec(kv.substring(eq + 1)) : "";
                switch (k) {
                    case "user" -> user = v;
                    case "password" -> password = v;
                    case "dbname" -> db = v;
                    case "host" -> host = v;
                    case "port" -> port = Integer.parseInt(v);
                    default -> params.put(k, v);
                }
            }
        }
        if (host == null || host.isEmpty()) {
            host = env.getOrDefault("PGHOST", "localhost");
        }
        if (port == null) {
            String p = env.get("PGPORT");
            port = p == null || p.isBlank() ? 5432 : Integer.parseInt(p.strip());
        }
        if (user == null) {
            user = env.getOrDefault("PGUSER", System.getProperty("user.name"));
        }
        if (password == null) {
            password = env.get("PGPASSWORD");
        }
        if (db == null) {
            db = env.getOrDefault("PGDATABASE", user);
        }
        return new PgUrl(host, port, db, user, password, params);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Hides a password in a URL someone typed, for error messages. */
    public static String redact(String url) {
        return url.replaceAll("(//[^:/@]*:)[^@/]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    /** The same server and credentials, another database. */
    public PgUrl withDatabase(String otherDatabase) {
        return new PgUrl(host, port, otherDatabase, user, password, params);
    }

    /** JDBC URL without credentials; pass {@link #properties()} alongside. */
    public String jdbcUrl() {
        StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                .append(':').append(port).append('/').append(URLEncoder.encode(database, StandardCharsets.UTF_8));
        return sb.toString();
    }

    /** user, password and any extra parameters, for DriverManager.getConnection(jdbcUrl(), properties()). */
    public Properties properties() {
        Properties p = new Properties();
        p.putAll(params);
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.putIfAbsent("ApplicationName", "pgkb");
        return p;
    }

    /** user@host:port/db, never the password. */
    public String describe() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }
}
