package io.pgkb.producer.internal;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Where a producer's start went, said in its "producer ready" line ({@code started_in=3.9s (postgres 0.8, kafka 1.0,
 * …) jvm_uptime=5.0s}): a restart's time to the slot being confirmed again is what an operator waits through after a
 * crash (issue 16 wants 15 s), and the phases tell which service was slow. The JVM's uptime includes its own start
 * (and, in-process, whatever ran before). Thread-safe: phases may run side by side.
 */
public final class StartupPhases {
    private final StringBuilder phases = new StringBuilder();
    private final long started = System.nanoTime();

    /** Now, to pass to {@link #done} when the phase ends. */
    public long now() {
        return System.nanoTime();
    }

    /** The phase {@code name} that began at {@code since} ({@link #now}) ended now. */
    public synchronized void done(String name, long since) {
        phases.append(phases.length() == 0 ? "" : ", ").append(name).append(' ').append(seconds(System.nanoTime() - since));
    }

    @Override
    public synchronized String toString() {
        return seconds(System.nanoTime() - started) + "s (" + phases + ") jvm_uptime="
                + seconds(ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000) + "s";
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
