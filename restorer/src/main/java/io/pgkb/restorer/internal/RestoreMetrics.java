package io.pgkb.restorer.internal;

import io.prometheus.metrics.core.metrics.Counter;

/** Prometheus collectors of the restorer, registered once per JVM in the default registry. */
final class RestoreMetrics {
    static final Counter ROWS_LOADED = Counter.builder().name("pgkb_restorer_dump_rows_loaded_total")
            .help("Rows loaded from dumps into tables being restored").register();
    static final Counter CHANGES_APPLIED = Counter.builder().name("pgkb_restorer_changes_applied_total")
            .help("Change records replayed onto tables being restored").register();
    static final Counter CHANGES_MERGED = Counter.builder().name("pgkb_restorer_changes_merged_total")
            .help("Change records of a table's first batch written into its dump load instead of applied afterwards").register();
    static final Counter DUPLICATES = Counter.builder().name("pgkb_restorer_duplicates_dropped_total")
            .help("Archived records dropped because their (commit_lsn, seq) was already applied").register();

    private RestoreMetrics() {
    }
}
