package io.pgkb.producer.internal;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.StartWait;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer that starts while PostgreSQL does not answer (down, restarting, in recovery, out of connection slots)
 * waits for it, as a running producer waits out a PostgreSQL restart, instead of exiting 1 into a service manager's
 * restart loop; a PostgreSQL that answers no (password, database, privilege, TLS, wal_level) is an error at once.
 */
public final class PgStartWait {
    private static final Logger log = LoggerFactory.getLogger(PgStartWait.class);
    /** Between attempts: a connection attempt is cheap, and the producer is streaming within this of the server answering. */
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** The checks a first connection passes before the producer goes on with it. */
    @FunctionalInterface
    public interface Check {
        void check(Connection c) throws SQLException;
    }

    private PgStartWait() {
    }

    /**
     * A normal connection that passed {@code check}, once PostgreSQL answers.
     *
     * @throws PgkbException.ConfigException when PostgreSQL refuses (exit 2)
     * @throws PgkbException.FatalException  on another error that waiting cannot cure (exit 1)
     */
    public static Connection connect(PgConnections connections, Check check, BooleanSupplier stopping) {
        return new StartWait(log, "PostgreSQL " + connections.url().describe(), " (nothing is read from the slot meanwhile)",
                RETRY, stopping).until(() -> {
                    Connection c = connections.normal();
                    try {
                        check.check(c);
                        return c;
                    } catch (SQLException | RuntimeException e) {
                        PgConnections.closeQuietly(c);
                        throw e;
                    }
                }, e -> refusal(connections, e));
    }

    /** Null when waiting may help; else what the producer exits with. */
    static RuntimeException refusal(PgConnections connections, Exception e) {
        if (PgkbException.isPgUnreachable(e)) {
            return null;
        }
        PgkbException failure = e instanceof SQLException s ? connections.translate(s, "")
                : e instanceof PgkbException p ? p : new PgkbException.FatalException("cannot start on PostgreSQL "
                + connections.url().describe() + ": " + e, e);
        return failure instanceof PgkbException.RetriableException ? new PgkbException.FatalException(failure.getMessage(), e) : failure;
    }
}
