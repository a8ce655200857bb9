package io.pgkb.producer.internal;

import io.pgkb.schemas.Messages;
import io.pgkb.schemas.Outage;
import io.pgkb.schemas.PgkbException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
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
    private static final long MIN_ATTEMPT_NANOS = TimeUnit.SECONDS.toNanos(1);

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
        Outage outage = new Outage();
        while (true) {
            long started = System.nanoTime();
            Throwable cause;
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs(ATTEMPT_MILLIS)).nodes()
                        .get(ATTEMPT_MILLIS + 5_000L, TimeUnit.MILLISECONDS);
                long lasted = outage.ended(System.nanoTime());
                if (lasted >= 0) {
                    log.info("Kafka at {} answers after {} s of waiting; starting", bootstrapServers, lasted);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgkbException.RetriableException("interrupted while waiting for Kafka at " + bootstrapServers, e);
            } catch (ExecutionException e) {
                cause = e.getCause();
            } catch (TimeoutException e) {
                cause = e;
            }
            PgkbException failure = PgkbException.reachingKafka("cannot reach Kafka at " + bootstrapServers + ": "
                    + Messages.firstLine(cause), cause);
            if (failure instanceof PgkbException.ConfigException
                    || !(cause instanceof RetriableException || cause instanceof TimeoutException)) {
                throw failure;
            }
            long now = System.nanoTime();
            switch (outage.failed(now)) {
                case STARTED -> log.warn("Kafka at {} does not answer; waiting for it and retrying (nothing is read from the slot"
                        + " meanwhile): {}", bootstrapServers, Messages.firstLine(cause));
                case STILL -> log.warn("still waiting for Kafka at {} for={} s: {}", bootstrapServers, outage.seconds(now),
                        Messages.firstLine(cause));
                case NOTHING -> {
                    // said less than a minute ago
                }
            }
            long until = started + MIN_ATTEMPT_NANOS;
            while (!stopping.getAsBoolean() && System.nanoTime() - until < 0) {
                LockSupport.parkNanos(Math.min(until - System.nanoTime(), 100_000_000L));
            }
            if (stopping.getAsBoolean()) {
                throw new PgkbException.RetriableException("stopped while waiting for Kafka at " + bootstrapServers, cause);
            }
        }
    }
}
