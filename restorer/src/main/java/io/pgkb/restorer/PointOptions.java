package io.pgkb.restorer;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Option;

/**
 * How a command names a point of the archive (an LSN, a time or a mark): the options of {@code restore} and
 * {@code history}, with one parse and one rule for each.
 */
public final class PointOptions {
    private PointOptions() {
    }

    /** {@code --to-lsn | --to-time | --to-mark | --latest}: where a restore rebuilds the tables, where a history ends. */
    public static final class To {
        @Option(names = "--to-lsn", paramLabel = "LSN", description = "Up to this LSN (X/X): every transaction with commit_lsn <= it")
        String lsn;

        @Option(names = "--to-time", paramLabel = "ISO-8601",
                description = "Up to the last commit at or before this time, with a zone (e.g. 2026-11-21T13:00:00Z)")
        String time;

        @Option(names = "--to-mark", paramLabel = "NAME", description = "Up to a mark made with pg_logical_emit_message(true, 'pgkb.mark', NAME)")
        String mark;

        @Option(names = "--latest", description = "Up to the newest point the archive fully covers (with --bootstrap-servers: "
                + "the newest point Kafka's progress records confirm)")
        boolean latest;

        /**
         * At most one of the four; with {@code required} exactly one (restore), else none means {@code --latest}
         * (history).
         */
        public void checkCount(boolean required) {
            int given = (lsn != null ? 1 : 0) + (time != null ? 1 : 0) + (mark != null ? 1 : 0) + (latest ? 1 : 0);
            if (required && given != 1) {
                throw new PgkbException.ConfigException("--to-lsn, --to-time, --to-mark, --latest: give exactly one restore point");
            }
            if (given > 1) {
                throw new PgkbException.ConfigException("--to-lsn, --to-time, --to-mark, --latest: give at most one");
            }
        }

        /** The point, its values checked; none given is {@code --latest}. */
        public RestoreTargetSpec spec() {
            return PointOptions.spec(lsn, time, mark, latest || (lsn == null && time == null && mark == null), "--to-");
        }
    }

    /** {@code --from-lsn | --from-time | --from-mark}: where a history starts (default: the oldest dump). */
    public static final class From {
        @Option(names = "--from-lsn", paramLabel = "LSN", description = "Changes committed after this LSN (default: from the oldest dump)")
        String lsn;

        @Option(names = "--from-time", paramLabel = "ISO-8601", description = "Changes committed after the last commit at or before this time")
        String time;

        @Option(names = "--from-mark", paramLabel = "NAME", description = "Changes committed after this mark")
        String mark;

        public void checkCount() {
            if ((lsn != null ? 1 : 0) + (time != null ? 1 : 0) + (mark != null ? 1 : 0) > 1) {
                throw new PgkbException.ConfigException("--from-lsn, --from-time, --from-mark: give at most one");
            }
        }

        /** The first point, its values checked; null: from the oldest dump. */
        public RestoreTargetSpec spec() {
            return lsn == null && time == null && mark == null ? null : PointOptions.spec(lsn, time, mark, false, "--from-");
        }
    }

    private static RestoreTargetSpec spec(String lsn, String time, String mark, boolean latest, String option) {
        if (lsn != null) {
            try {
                Lsn.parse(lsn);
            } catch (IllegalArgumentException e) {
                throw new PgkbException.ConfigException(option + "lsn: " + e.getMessage());
            }
        }
        return new RestoreTargetSpec(lsn, time == null ? null : parseTime(option + "time", time), mark, latest);
    }

    /** An ISO-8601 time with a zone ({@code T} or a space between date and time); {@code option} names it in the refusal. */
    static Instant parseTime(String option, String text) {
        try {
            return OffsetDateTime.parse(text.strip().replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException e) {
            throw new PgkbException.ConfigException(option + ": not an ISO-8601 time with a zone (e.g. 2026-11-21T13:00:00Z): '" + text + "'");
        }
    }
}
