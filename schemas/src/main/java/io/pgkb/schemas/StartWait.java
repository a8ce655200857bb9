package io.pgkb.schemas;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * A long-running component that starts while a service it needs (PostgreSQL, Kafka, the object store) does not answer
 * waits for it, as it waits out an outage once running: it says so at once, then once a minute ({@link Outage}), and
 * goes on when the service answers. Exiting instead made a service manager's restart loop of it, a JVM start each
 * time and nothing more said. What waiting cannot fix (a refused password or certificate, a missing database or
 * bucket) is still an error at once: the caller's {@code refusal} tells the two apart.
 */
public final class StartWait {
    /** One attempt at reaching the service. */
    @FunctionalInterface
    public interface Attempt<T> {
        T call() throws Exception;
    }

    private static final long SLICE_NANOS = 100_000_000L;

    private final Logger log;
    private final String what;
    private final String note;
    private final Duration spacing;
    private final BooleanSupplier stopping;

    /**
     * @param log      the component's logger (operators' filters name it)
     * @param what     the service as the lines name it, e.g. {@code Kafka at host:9092}
     * @param note     said after "waiting for it and retrying" in the first line ("" for nothing)
     * @param spacing  least time from the start of one attempt to the start of the next
     * @param stopping true when the component is asked to stop meanwhile
     */
    public StartWait(Logger log, String what, String note, Duration spacing, BooleanSupplier stopping) {
        this.log = log;
        this.what = what;
        this.note = note;
        this.spacing = spacing;
        this.stopping = stopping;
    }

    /**
     * Calls {@code attempt} until it returns.
     *
     * @param refusal maps an attempt's failure to the exception to throw at once, or to null when the service just does
     *                not answer (yet) and waiting may help
     * @throws PgkbException.RetriableException when stopped or interrupted while waiting
     */
    public <T> T until(Attempt<T> attempt, Function<Exception, RuntimeException> refusal) {
        Outage outage = new Outage();
        while (true) {
            long started = System.nanoTime();
            Exception failure;
            try {
                T result = attempt.call();
                long lasted = outage.ended(System.nanoTime());
                if (lasted >= 0) {
                    log.info("{} answers after {} s of waiting; starting", what, lasted);
                }
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgkbException.RetriableException("interrupted while waiting for " + what, e);
            } catch (Exception e) {
                failure = e;
            }
            RuntimeException refused = refusal.apply(failure);
            if (refused != null) {
                throw refused;
            }
            long now = System.nanoTime();
            switch (outage.failed(now)) {
                case STARTED -> log.warn("{} does not answer; waiting for it and retrying{}: {}", what, note, Messages.firstLine(failure));
                case STILL -> log.warn("still waiting for {} for={} s: {}", what, outage.seconds(now), Messages.firstLine(failure));
                case NOTHING -> {
                    // said less than a minute ago
                }
            }
            long until = started + spacing.toNanos();
            while (!stopped() && System.nanoTime() - until < 0) {
                LockSupport.parkNanos(Math.min(until - System.nanoTime(), SLICE_NANOS));
            }
            if (stopped()) {
                throw new PgkbException.RetriableException("stopped while waiting for " + what, failure);
            }
        }
    }

    private boolean stopped() {
        return stopping.getAsBoolean() || Thread.currentThread().isInterrupted();
    }
}
