package io.pgkb.archiver;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.Durations;
import io.pgkb.schemas.config.Sizes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Everything an {@link Archiver} needs besides its store.
 *
 * @param kafka             Kafka client settings (bootstrap.servers plus any TLS/SASL from --kafka-config)
 * @param topicPrefix       the topic prefix, also the archive namespace
 * @param group             consumer group id
 * @param spoolDir          where open segments are spooled
 * @param segmentMaxBytes   roll a segment once its records hold this many bytes
 * @param segmentMaxRecords roll a segment at this many records
 * @param segmentMaxAge     roll a segment this long after its first record
 * @param onBadRecord       stop, or quarantine the record and go on
 * @param uploadThreads     concurrent segment uploads
 */
public record ArchiverConfig(Map<String, Object> kafka, String topicPrefix, String group, Path spoolDir,
                             long segmentMaxBytes, long segmentMaxRecords, Duration segmentMaxAge,
                             BadRecordPolicy onBadRecord, int uploadThreads) {

    public enum BadRecordPolicy { FAIL, QUARANTINE }

    public ArchiverConfig {
        kafka = Map.copyOf(kafka);
    }

    // Each default once, as the text an operator would type: ArchiveCommand's @Option and the Builder both use it.
    public static final String DEFAULT_GROUP = "pgkb-archiver";
    public static final String DEFAULT_SEGMENT_MAX_SIZE = "64MiB";
    public static final String DEFAULT_SEGMENT_MAX_RECORDS = "1000000";
    public static final String DEFAULT_SEGMENT_MAX_AGE = "60s";
    public static final String DEFAULT_ON_BAD_RECORD = "fail";
    public static final String DEFAULT_UPLOAD_THREADS = "4";

    /** Every default but Kafka's address, the prefix and the spool directory; for tests and embedding. */
    public static Builder builder(String bootstrapServers, String topicPrefix, Path spoolDir) {
        return new Builder(bootstrapServers, topicPrefix, spoolDir);
    }

    /**
     * Each setting's default and rule, once: {@link ArchiveCommand} sets what its options say through it, embedding code
     * what it needs. A value against the rule is a {@code PgkbException.ConfigException} naming the command's option.
     */
    public static final class Builder {
        private final String topicPrefix;
        private final Path spoolDir;
        private Map<String, Object> kafka;
        private String group = DEFAULT_GROUP;
        private long segmentMaxBytes = Sizes.parse(DEFAULT_SEGMENT_MAX_SIZE);
        private long segmentMaxRecords = Long.parseLong(DEFAULT_SEGMENT_MAX_RECORDS);
        private Duration segmentMaxAge = Durations.parse(DEFAULT_SEGMENT_MAX_AGE);
        private BadRecordPolicy onBadRecord = BadRecordPolicy.valueOf(DEFAULT_ON_BAD_RECORD.toUpperCase(Locale.ROOT));
        private int uploadThreads = Integer.parseInt(DEFAULT_UPLOAD_THREADS);

        private Builder(String bootstrapServers, String topicPrefix, Path spoolDir) {
            this.kafka = Map.of("bootstrap.servers", bootstrapServers);
            this.topicPrefix = topicPrefix;
            this.spoolDir = spoolDir;
        }

        /** The whole Kafka client configuration: bootstrap.servers plus any TLS/SASL settings ({@code --kafka-config}). */
        public Builder kafka(Map<String, Object> clientConfig) {
            this.kafka = clientConfig;
            return this;
        }

        public Builder group(String id) {
            if (id == null || id.isBlank()) {
                throw new PgkbException.ConfigException("--group: must not be empty");
            }
            this.group = id;
            return this;
        }

        /** The segment size limit as an operator writes it ({@code 64MiB}). */
        public Builder segmentMaxSize(String size) {
            return segmentMaxBytes(Sizes.option("--segment-max-bytes", size));
        }

        public Builder segmentMaxBytes(long bytes) {
            if (bytes < 1) {
                throw new PgkbException.ConfigException("--segment-max-bytes: must be positive");
            }
            this.segmentMaxBytes = bytes;
            return this;
        }

        public Builder segmentMaxRecords(long records) {
            if (records < 1) {
                throw new PgkbException.ConfigException("--segment-max-records: must be positive, got " + records);
            }
            this.segmentMaxRecords = records;
            return this;
        }

        /** The segment age limit as an operator writes it ({@code 60s}). */
        public Builder segmentMaxAge(String text) {
            Duration d = Durations.option("--segment-max-age", text);
            if (d.isZero() || d.isNegative()) {
                throw new PgkbException.ConfigException("--segment-max-age: must be positive, got " + text);
            }
            this.segmentMaxAge = d;
            return this;
        }

        public Builder segmentMaxAge(Duration d) {
            if (d.isZero() || d.isNegative()) {
                throw new PgkbException.ConfigException("--segment-max-age: must be positive, got " + d);
            }
            this.segmentMaxAge = d;
            return this;
        }

        /** The three limits at once: a segment rolls at whichever it reaches first. */
        public Builder segmentLimits(long maxBytes, long maxRecords, Duration maxAge) {
            return segmentMaxBytes(maxBytes).segmentMaxRecords(maxRecords).segmentMaxAge(maxAge);
        }

        public Builder onBadRecord(BadRecordPolicy policy) {
            this.onBadRecord = policy;
            return this;
        }

        public Builder uploadThreads(int n) {
            if (n < 1 || n > 64) {
                throw new PgkbException.ConfigException("--upload-threads: must be 1..64, got " + n);
            }
            this.uploadThreads = n;
            return this;
        }

        public ArchiverConfig build() {
            return new ArchiverConfig(kafka, topicPrefix, group, spoolDir, segmentMaxBytes, segmentMaxRecords, segmentMaxAge,
                    onBadRecord, uploadThreads);
        }
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder("", topicPrefix, spoolDir);
        b.kafka = kafka;
        b.group = group;
        b.segmentMaxBytes = segmentMaxBytes;
        b.segmentMaxRecords = segmentMaxRecords;
        b.segmentMaxAge = segmentMaxAge;
        b.onBadRecord = onBadRecord;
        b.uploadThreads = uploadThreads;
        return b;
    }
}
