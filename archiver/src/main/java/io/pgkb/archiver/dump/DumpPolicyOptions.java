package io.pgkb.archiver.dump;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.Durations;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The dump policy and retention options of {@code pgkb archive} (a picocli mixin); they apply when --pg is given. */
public final class DumpPolicyOptions {
    @Option(names = "--publication", paramLabel = "NAME", defaultValue = DumpTaker.DEFAULT_PUBLICATION,
            description = "the producer's publication: a table is dumped only once it is in it (default: ${DEFAULT-VALUE})")
    public String publication = DumpTaker.DEFAULT_PUBLICATION;

    @Option(names = "--dump-interval", paramLabel = "DURATION", defaultValue = DumpPolicy.DEFAULT_INTERVAL,
            description = "Dump each table again when its newest dump is this old; 0s = never by time (default: ${DEFAULT-VALUE})")
    public String dumpInterval = DumpPolicy.DEFAULT_INTERVAL;

    @Option(names = "--dump-after-changes", paramLabel = "N", defaultValue = DumpPolicy.DEFAULT_AFTER_CHANGES,
            description = "Dump a table again after N archived changes since its newest dump; 0 = never by count (default: ${DEFAULT-VALUE})")
    public long dumpAfterChanges = Long.parseLong(DumpPolicy.DEFAULT_AFTER_CHANGES);

    @Option(names = "--dump-check-interval", paramLabel = "DURATION", defaultValue = DumpPolicy.DEFAULT_CHECK_INTERVAL,
            description = "How often the dump policy is evaluated (default: ${DEFAULT-VALUE})")
    public String dumpCheckInterval = DumpPolicy.DEFAULT_CHECK_INTERVAL;

    @Option(names = "--keep-dumps", paramLabel = "N", defaultValue = DumpPolicy.DEFAULT_KEEP_DUMPS,
            description = "Keep the newest N dumps per table; delete older dumps and the segments no kept dump needs; 0 = no count rule (default: ${DEFAULT-VALUE})")
    public int keepDumps = Integer.parseInt(DumpPolicy.DEFAULT_KEEP_DUMPS);

    @Option(names = "--keep-dumps-for", paramLabel = "DURATION",
            description = "Keep dumps taken within this window (with --keep-dumps: a dump either rule keeps is kept); the newest dump is always kept (default: keep all)")
    public String keepDumpsFor;

    public void validate() {
        policy();
    }

    public DumpPolicy policy() {
        Duration interval = Durations.option("--dump-interval", dumpInterval);
        Duration check = Durations.option("--dump-check-interval", dumpCheckInterval);
        if (check.isZero()) {
            throw new PgkbException.ConfigException("--dump-check-interval: must be more than 0s");
        }
        if (dumpAfterChanges < 0) {
            throw new PgkbException.ConfigException("--dump-after-changes: must be >= 0, got " + dumpAfterChanges);
        }
        if (keepDumps < 0) {
            throw new PgkbException.ConfigException("--keep-dumps: must be >= 0, got " + keepDumps);
        }
        Duration keepFor = keepDumpsFor == null ? null : Durations.option("--keep-dumps-for", keepDumpsFor);
        if (keepFor != null && keepFor.isZero()) {
            throw new PgkbException.ConfigException("--keep-dumps-for: must be more than 0s");
        }
        return new DumpPolicy(interval.isZero() ? null : interval, dumpAfterChanges, check,
                new RetentionPolicy(keepDumps, keepFor));
    }
}
