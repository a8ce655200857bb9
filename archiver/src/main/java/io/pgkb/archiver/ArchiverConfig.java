package io.pgkb.archiver;

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

    // Each default once, as the text an operator would type: ArchiveCommand's @Option and defaults() both use it.
    public static final String DEFAULT_GROUP = "pgkb-archiver";
    public static final String DEFAULT_SEGMENT_MAX_SIZE = "64MiB";
    public static final String DEFAULT_SEGMENT_MAX_RECORDS = "1000000";
    public static final String DEFAULT_SEGMENT_MAX_AGE = "60s";
    public static final String DEFAULT_ON_BAD_RECORD = "fail";
    public static final String DEFAULT_UPLOAD_THREADS = "4";

    public static ArchiverConfig defaults(String bootstrapServers, String topicPrefix, Path spoolDir) {
        return new ArchiverConfig(Map.of("bootstrap.servers", bootstrapServers), topicPrefix, DEFAULT_GROUP, spoolDir,
                Sizes.parse(DEFAULT_SEGMENT_MAX_SIZE), Long.parseLong(DEFAULT_SEGMENT_MAX_RECORDS),
                Durations.parse(DEFAULT_SEGMENT_MAX_AGE), BadRecordPolicy.valueOf(DEFAULT_ON_BAD_RECORD.toUpperCase(Locale.ROOT)),
                Integer.parseInt(DEFAULT_UPLOAD_THREADS));
    }

    public ArchiverConfig withGroup(String g) {
        return new ArchiverConfig(kafka, topicPrefix, g, spoolDir, segmentMaxBytes, segmentMaxRecords, segmentMaxAge, onBadRecord, uploadThreads);
    }

    public ArchiverConfig withSegmentLimits(long maxBytes, long maxRecords, Duration maxAge) {
        return new ArchiverConfig(kafka, topicPrefix, group, spoolDir, maxBytes, maxRecords, maxAge, onBadRecord, uploadThreads);
    }

    public ArchiverConfig withOnBadRecord(BadRecordPolicy p) {
        return new ArchiverConfig(kafka, topicPrefix, group, spoolDir, segmentMaxBytes, segmentMaxRecords, segmentMaxAge, p, uploadThreads);
    }

    public ArchiverConfig withKafka(Map<String, Object> k) {
        return new ArchiverConfig(k, topicPrefix, group, spoolDir, segmentMaxBytes, segmentMaxRecords, segmentMaxAge, onBadRecord, uploadThreads);
    }
}
