package io.pgkb.cli.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Marker;

/**
 * Lets a library's repeated warning through once per interval. A broker that is down makes the Kafka client warn
 * several times a second for as long as it is down; operators need to see it (a silent component is worse), but
 * once a minute says as much as a flood.
 */
final class RepeatedWarningFilter extends TurboFilter {
    private static final int KIND_WORDS = 4;
    private final String loggerPrefix;
    private final long intervalNanos;
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    RepeatedWarningFilter(String loggerPrefix, long intervalMillis) {
        this.loggerPrefix = loggerPrefix;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || level.levelInt < Level.WARN_INT || format == null || !logger.getName().startsWith(loggerPrefix)
                || !logger.isEnabledFor(level)) {
            return FilterReply.NEUTRAL;
        }
        String key = logger.getName() + '\u0000' + kind(format);
        long now = System.nanoTime();
        Long last = lastSeen.get(key);
        if (last != null && now - last < intervalNanos) {
            return FilterReply.DENY;
        }
        if (lastSeen.size() > 1000) {
            lastSeen.clear(); // bounded: a library with endless distinct messages must not grow this map
        }
        lastSeen.put(key, now);
        return FilterReply.NEUTRAL;
    }

    /**
     * What makes two warnings "the same": the Kafka clients log through their {@code LogContext}, which formats the
     * message before it reaches us ("[Producer clientId=x] Got error produce response with correlation id 138 on
     * topic-partition t-1, ..."), so the text differs in every line of one outage. The client prefix dropped, digits
     * folded and only the first words kept, one outage's warnings of one kind share a key.
     */
    static String kind(String message) {
        String m = message;
        if (m.startsWith("[")) {
            int end = m.indexOf("] ");
            if (end > 0) {
                m = m.substring(end + 2);
            }
        }
        String[] words = m.replaceAll("[0-9]+", "#").split("\\s+", KIND_WORDS + 1);
        return String.join(" ", Arrays.asList(words).subList(0, Math.min(words.length, KIND_WORDS)));
    }
}
