package io.pgkb.archiver.dump;

import java.time.Duration;

/**
 * When the archiver takes dumps by itself: when a table first appears (always), every {@code interval}
 * ({@code null} = never by time), after {@code afterChanges} archived changes since the newest dump's D
 * ({@code 0} = never by count); {@code checkEvery} is how often the scheduler looks; {@code retention} what it
 * then deletes.
 */
public record DumpPolicy(Duration interval, long afterChanges, Duration checkEvery, RetentionPolicy retention) {
    // Each default once, as the text an operator would type: DumpPolicyOptions' @Option and its fields both use it.
    public static final String DEFAULT_INTERVAL = "24h";
    public static final String DEFAULT_AFTER_CHANGES = "1000000";
    public static final String DEFAULT_CHECK_INTERVAL = "1m";
    public static final String DEFAULT_KEEP_DUMPS = "3";

    public DumpPolicy {
        if (afterChanges < 0) {
            throw new IllegalArgumentException("afterChanges must be >= 0");
        }
        if (checkEvery == null || checkEvery.isZero() || checkEvery.isNegative()) {
            throw new IllegalArgumentException("checkEvery must be positive");
        }
        if (retention == null) {
            retention = RetentionPolicy.KEEP_ALL;
        }
    }
}
