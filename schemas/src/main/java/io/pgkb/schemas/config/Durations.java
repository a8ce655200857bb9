package io.pgkb.schemas.config;

import io.pgkb.schemas.PgkbException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written on the command line: {@code 500ms}, {@code 5s}, {@code 10m}, {@code 24h}, {@code 7d}. */
public final class Durations {
    private static final Pattern P = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /** {@link #parse} for an option's value: a bad one is a ConfigException naming the option (exit 2). */
    public static Duration option(String option, String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException(option + ": " + e.getMessage());
        }
    }

    public static Duration parse(String text) {
        Matcher m = P.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (e.g. 500ms, 5s, 10m, 24h, 7d): '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
