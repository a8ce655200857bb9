package io.pgkb.schemas;

import java.sql.SQLException;
import java.util.Set;

/**
 * Root of pgkb's unchecked errors. Each carries the exit code the command line ends with and a one-line
 * message naming what and where; the CLI prints the message, never a stack trace, for these.
 */
public class PgkbException extends RuntimeException {
    /** Exit codes of the command line contract (DESIGN §7). */
    public static final int RUNTIME = 1;
    public static final int USAGE = 2;
    public static final int INCOMPLETE = 3;

    private final int exitCode;

    public PgkbException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public PgkbException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /**
     * A PostgreSQL connection that failed: a rejected login, a missing database or a missing privilege is the
     * operator's configuration (exit 2); anything else (unreachable, refused) is a runtime failure (exit 1).
     */
    public static PgkbException connecting(String message, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (isTlsRejection(e)) {
            return new ConfigException(message + TLS_HINT_PG, e);
        }
        boolean configuration = state.startsWith("28") || state.equals("3D000") || state.equals("42501");
        return configuration ? new ConfigException(message, e) : new FatalException(message, e);
    }

    /**
     * SQLStates that say PostgreSQL did not answer (yet), which waiting may cure: no connection (08001: refused, no
     * route, a host name that does not resolve, timed out), a connection lost (08003, 08006), a server starting up,
     * shutting down or in recovery (57P03), sessions ended by a shutdown or a crash (57P01, 57P02), no free connection
     * slot (53300). A refused password (28P01), a missing role (28000) or database (3D000), a missing privilege
     * (42501), a TLS refusal and the server refusing TLS (08004) are not in it.
     */
    private static final Set<String> PG_UNREACHABLE = Set.of("08001", "08003", "08006", "57P01", "57P02",
            "57P03", "53300");

    /** Whether a PostgreSQL failure (or one caused by it) says the server does not answer (yet), not that it said no. */
    public static boolean isPgUnreachable(Throwable e) {
        if (e instanceof ConfigException || isTlsRejection(e)) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return PG_UNREACHABLE.contains(s.getSQLState());
            }
        }
        return false;
    }

    /** What to check when PostgreSQL's certificate was not accepted. */
    public static final String TLS_HINT_PG = " (TLS: sslrootcert must hold the CA that signed the server's certificate,"
            + " and with sslmode=verify-full the host in the URL must be a name in that certificate)";

    /**
     * A Kafka client that could not get in: a TLS handshake the client refused (the broker's certificate is not
     * signed by the CA in {@code ssl.truststore.*}), a SASL login the broker refused, or missing ACLs are the
     * operator's configuration (exit 2), never retried; anything else (unreachable, timed out) is exit 1.
     */
    public static PgkbException reachingKafka(String message, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String cls = t.getClass().getName();
            if (cls.equals("org.apache.kafka.common.errors.SslAuthenticationException")) {
                return new ConfigException(message + " (TLS: ssl.truststore.* in --kafka-config must hold the CA that signed the"
                        + " broker's certificate, and security.protocol must match the listener)", e);
            }
            if (cls.startsWith("org.apache.kafka.common.errors.") && cls.endsWith("AuthenticationException")) {
                return new ConfigException(message + " (check sasl.mechanism and the username and password in sasl.jaas.config"
                        + " of --kafka-config)", e);
            }
            if (cls.startsWith("org.apache.kafka.common.errors.") && cls.endsWith("AuthorizationException")) {
                return new ConfigException(message + " (grant this principal the ACLs listed in README.md)", e);
            }
        }
        return new FatalException(message, e);
    }

    /**
     * Whether a connection failed because TLS did not accept the server: its certificate is not signed by the CA
     * the client trusts, or names another host. Configuration, not a blip: retrying cannot help.
     */
    public static boolean isTlsRejection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException || t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.cert.CertPathValidatorException
                    // pgjdbc's verify-full host name check (PSQLException, no cause)
                    || String.valueOf(t.getMessage()).contains("could not be verified by hostnameverifier")) {
                return true;
            }
        }
        return false;
    }

    /** Bad options, configuration, or a target that exists without --replace: exit 2. */
    public static class ConfigException extends PgkbException {
        public ConfigException(String message) {
            super(USAGE, message);
        }

        public ConfigException(String message, Throwable cause) {
            super(USAGE, message, cause);
        }
    }

    /** The archive does not prove completeness, or an object is corrupt: exit 3. */
    public static class ArchiveIncompleteException extends PgkbException {
        public ArchiveIncompleteException(String message) {
            super(INCOMPLETE, message);
        }
    }

    /** A runtime failure that stops the component: exit 1. */
    public static class FatalException extends PgkbException {
        public FatalException(String message) {
            super(RUNTIME, message);
        }

        public FatalException(String message, Throwable cause) {
            super(RUNTIME, message, cause);
        }
    }

    /** A failure worth retrying with backoff (service restarting, network blip). */
    public static class RetriableException extends PgkbException {
        public RetriableException(String message, Throwable cause) {
            super(RUNTIME, message, cause);
        }
    }
}
