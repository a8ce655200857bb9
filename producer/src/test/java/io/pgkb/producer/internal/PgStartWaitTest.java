package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.PgUrl;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Which failures of a producer's first connection are waited out, and which are an error at once. */
class PgStartWaitTest {
    private final PgConnections connections = new PgConnections(PgUrl.parse("postgresql://pgkb:secret@db.example:5432/app"));

    /** As pgjdbc reports them: PSQLException with the SQLState, the socket's exception as its cause. */
    private static SQLException pg(String state, String message, Throwable cause) {
        return new SQLException(message, state, cause);
    }

    /** As PgConnections.normal() throws them: translated, the driver's exception as the cause. */
    private PgkbException opening(SQLException e) {
        return connections.translate(e, "");
    }

    @Test
    void aServerThatDoesNotAnswerYetIsWaitedFor() {
        for (SQLException e : new SQLException[] {
                pg("08001", "Connection to db.example:5432 refused.", new ConnectException("Connection refused")),
                pg("08001", "The connection attempt failed.", new UnknownHostException("db.example")),
                pg("08006", "An I/O error occurred while sending to the backend.", null),
                pg("57P03", "FATAL: the database system is starting up", null),
                pg("57P03", "FATAL: the database system is shutting down", null),
                pg("57P01", "FATAL: terminating connection due to administrator command", null),
                pg("53300", "FATAL: sorry, too many clients already", null)}) {
            assertThat(PgStartWait.refusal(connections, opening(e))).as(e.getMessage()).isNull();
            assertThat(PgStartWait.refusal(connections, e)).as(e.getMessage()).isNull(); // from the checks' queries
        }
    }

    @Test
    void aServerThatSaysNoIsAnErrorAtOnce() {
        assertThat(PgStartWait.refusal(connections, opening(pg("28P01", "FATAL: password authentication failed for user \"pgkb\"", null))))
                .isInstanceOf(PgkbException.ConfigException.class).hasMessageContaining("cannot log in").hasMessageNotContaining("secret");
        assertThat(PgStartWait.refusal(connections, opening(pg("28000", "FATAL: role \"pgkb\" does not exist", null))))
                .isInstanceOf(PgkbException.ConfigException.class);
        assertThat(PgStartWait.refusal(connections, opening(pg("3D000", "FATAL: database \"app\" does not exist", null))))
                .isInstanceOf(PgkbException.ConfigException.class);
        assertThat(PgStartWait.refusal(connections, pg("42501", "permission denied for function pg_read_file", null)))
                .isInstanceOf(PgkbException.ConfigException.class);
        assertThat(PgStartWait.refusal(connections, opening(pg("08001", "SSL error: PKIX path building failed",
                new SSLHandshakeException("PKIX path building failed"))))).isInstanceOf(PgkbException.ConfigException.class);
        // what waiting cannot cure and is not the operator's setting either: exit 1 at once, as before
        assertThat(PgStartWait.refusal(connections, opening(pg("08004", "The server does not support SSL.", null))))
                .isInstanceOf(PgkbException.FatalException.class).hasMessageContaining("db.example:5432");
        assertThat(PgStartWait.refusal(connections, pg("XX000", "internal error", null)))
                .isInstanceOf(PgkbException.FatalException.class);
        PgkbException walLevel = new PgkbException.ConfigException("wal_level is 'replica' on …");
        assertThat(PgStartWait.refusal(connections, walLevel)).isSameAs(walLevel);
    }
}
