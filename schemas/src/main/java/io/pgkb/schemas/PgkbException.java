package io.pgkb.schemas;

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
    public static PgkbException connecting(String message, java.sql.SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean configuration = state.startsWith("28") || state.equals("3D000") || state.equals("42501");
        return configuration ? new ConfigException(message, e) : new FatalException(message, e);
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
