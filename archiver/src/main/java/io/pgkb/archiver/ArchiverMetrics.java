package io.pgkb.archiver;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;

/** Prometheus collectors of the archiver, registered once per JVM in the default registry. */
public final class ArchiverMetrics {
    public static final Gauge LAG = Gauge.builder().name("pgkb_archiver_lag_records")
            .help("Records in Kafka not yet consumed by this archiver, per partition")
            .labelNames("topic", "partition").register();
    public static final Counter SEGMENTS = Counter.builder().name("pgkb_archiver_segments_written_total")
            .help("Segment objects written to the archive").labelNames("topic").register();
    public static final Counter BYTES = Counter.builder().name("pgkb_archiver_bytes_written_total")
            .help("Bytes of segment objects written to the archive").labelNames("topic").register();
    public static final Counter RECORDS = Counter.builder().name("pgkb_archiver_records_archived_total")
            .help("Records made durable in segments").labelNames("topic").register();
    public static final Counter QUARANTINED = Counter.builder().name("pgkb_archiver_records_quarantined_total")
            .help("Bad records stored in quarantine (--on-bad-record quarantine)").labelNames("topic").register();
    public static final Counter UPLOAD_FAILURES = Counter.builder().name("pgkb_archiver_upload_failures_total")
            .help("Segment uploads that failed and will be re-read from Kafka").register();

    private ArchiverMetrics() {
    }
}
