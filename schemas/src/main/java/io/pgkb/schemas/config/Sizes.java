package io.pgkb.schemas.config;

import io.pgkb.schemas.PgkbException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as written on the command line: {@code 1024}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB} (also KB/MB/GB = powers of 1000). */
public final class Sizes {
    private static final Pattern P = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?");

    private Sizes() {
    }

    /** {@link #parse} for an option's value: a bad one is a ConfigException naming the option (exit 2). */
    public static long option(String option, String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new PgkbException.ConfigException(option + ": " + e.getMessage());
        }
    }

    public static long parse(String text) {
        Matcher m = P.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size (e.g. 64MiB, 1GiB, 512KiB): '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long mult = switch (unit) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            case "KB" -> 1000L;
            case "MB" -> 1000_000L;
            case "GB" -> 1000_000_000L;
            case "TB" -> 1000_000_000_000L;
            default -> 1L;
        };
        return Math.multiplyExact(n, mult);
    }
}
