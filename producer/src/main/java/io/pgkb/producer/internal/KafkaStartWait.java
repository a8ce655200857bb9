package io.pgkb.producer.internal;

import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.StartWait;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer that starts while the broker is down (or restarting, or too loaded to answer in time) waits for it as a
 * running producer waits out an outage: it says so at once and then once a minute, and goes on when the cluster
 * answers. A service manager restarting it every 20 s said nothing more and cost a JVM start each time. What retrying
 * cannot fix is still an error at once: a refused TLS handshake or SASL login, or missing ACLs (exit 2).
 */
public final class KafkaStartWait {
    private static final Logger log = LoggerFactory.getLogger(KafkaStartWait.class);
    /**
     * One attempt's wait for an answer. Short: while the broker is down the admin client reconnects by itself within
     * an attempt, so a broker that comes back is seen within about a second either way; a short attempt only makes
     * the first "waiting" line come sooner.
     */
    private static final int ATTEMPT_MILLIS = 5_000;
    /** An attempt that fails at once is not repeated sooner than this. */
    private static final Duration MIN_ATTEMPT = Duration.ofSeconds(1);

    private KafkaStartWait() {
    }

    /**
     * Returns once the cluster answers.
     *
     * @throws PgkbException.ConfigException when Kafka refuses this client (TLS, SASL, ACLs)
     * @throws PgkbException.FatalException  on an error that is not worth retrying
     * @throws PgkbException.RetriableException when {@code stopping} became true while waiting
     */
    public static void await(Admin admin, String bootstrapServers, BooleanSupplier stopping) {
        new StartWait(log, "Kafka at " + bootstrapServers, " (nothing is read from the slot meanwhile)",
                MIN_ATTEMPT, stopping).until(() -> {
                    try {
                        return admin.describeCluster(new DescribeClusterOptions().timeoutMs(ATTEMPT_MILLIS)).nodes()
                                .get(ATTEMPT_MILLIS + 5_000L, TimeUnit.MILLISECONDS);
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }, cause -> refusal(bootstrapServers, cause));
    }

    /** Null while waiting may help: the cluster did not answer (yet). */
    private static RuntimeException refusal(String bootstrapServers, Exception cause) {
        PgkbException failure = PgkbException.reachingKafka("cannot reach Kafka at " + bootstrapServers + ": "
                + Messages.firstLine(cause), cause);
        return failure instanceof PgkbException.ConfigException
                || !(cause instanceof RetriableException || cause instanceof TimeoutException) ? failure : null;
    }
}
