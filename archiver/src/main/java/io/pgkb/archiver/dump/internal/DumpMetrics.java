package io.pgkb.archiver.dump.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;

/** Dump and retention metrics in the default registry (served by {@code --metrics-port}). */
public final class DumpMetrics {
    public static final Counter DUMPS = Counter.builder().name("pgkb_dump_dumps_total")
            .help("table dumps finished, by result (ok, failed)").labelNames("result").register();
    public static final Counter ROWS = Counter.builder().name("pgkb_dump_rows_total")
            .help("rows written by committed dumps").register();
    public static final Counter BYTES = Counter.builder().name("pgkb_dump_bytes_total")
            .help("uncompressed COPY bytes written by committed dumps").register();
    public static final Gauge LAST_SUCCESS = Gauge.builder().name("pgkb_dump_last_success_timestamp_seconds")
            .help("wall-clock time of the newest committed dump").register();
    public static final Counter DELETED_DUMPS = Counter.builder().name("pgkb_dump_retention_deleted_dumps_total")
            .help("dumps deleted by retention").register();
    public static final Counter DELETED_SEGMENTS = Counter.builder().name("pgkb_dump_retention_deleted_segments_total")
            .help("segment objects deleted by retention").register();

    private DumpMetrics() {
    }
}
