package io.pgkb.archiver.dump;

import java.time.Duration;

/**
 * Which dumps to keep: the newest {@code keepDumps} ({@code 0} = no count rule) and/or those taken within
 * {@code keepFor} ({@code null} = no time rule). A dump is kept when either rule keeps it, and the newest dump is
 * always kept. With neither rule, nothing is deleted.
 */
public record RetentionPolicy(int keepDumps, Duration keepFor) {
    public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(0, null);

    public RetentionPolicy {
        if (keepDumps < 0) {
            throw new IllegalArgumentException("keepDumps must be >= 0");
        }
    }

    public boolean enabled() {
        return keepDumps > 0 || keepFor != null;
    }
}
