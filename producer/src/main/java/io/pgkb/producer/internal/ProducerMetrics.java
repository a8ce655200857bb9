package io.pgkb.producer.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;

/** The producer's collectors in the default registry; registered once per JVM (tests run several producers). */
public final class ProducerMetrics {
    public static final Counter RECORDS = Counter.builder().name("pgkb_producer_records_total")
            .help("change records handed to Kafka").register();
    public static final Counter SEND_ERRORS = Counter.builder().name("pgkb_producer_kafka_send_errors_total")
            .help("records Kafka did not acknowledge (the stream is restarted from the slot)").register();
    public static final Gauge CONFIRMED_LSN = Gauge.builder().name("pgkb_producer_confirmed_lsn")
            .help("flush LSN last confirmed to the replication slot (as a number)").register();
    public static final Gauge SLOT_LAG_BYTES = Gauge.builder().name("pgkb_producer_slot_lag_bytes")
            .help("pg_current_wal_lsn() minus the slot's confirmed_flush_lsn").register();

    private ProducerMetrics() {
    }
}
