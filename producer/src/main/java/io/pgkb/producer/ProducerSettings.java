package io.pgkb.producer;

import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Everything a {@link Producer} needs, already validated. Built by {@link ProduceCommand} or directly in tests.
 *
 * @param tables            explicit table list, or empty for every table of the database (except system schemas)
 * @param kafkaProperties   extra Kafka client properties (TLS, SASL) from {@code --kafka-config}
 * @param refreshInterval   how often the publication is compared with the tables that exist
 */
public record ProducerSettings(PgUrl pg, String bootstrapServers, String topicPrefix, String slot, String publication,
                             List<TableId> tables, int partitions, Properties kafkaProperties, long maxMessageBytes,
                             MissingIdentity onMissingIdentity, boolean recreateSlot, Duration refreshInterval,
                             Duration confirmInterval, DdlCaptureMode ddlCapture) {

    /** What to do with a table that has no usable replica identity. */
    public enum MissingIdentity { SKIP, FAIL }

    /**
     * {@code --ddl-capture}: AUTO installs the event trigger when the role may and uses it when installed, else
     * records that capture is off; REQUIRE fails (exit 2) when it is not possible; OFF never captures DDL.
     */
    public enum DdlCaptureMode { AUTO, REQUIRE, OFF }

    public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L << 20;

    public ProducerSettings {
        Objects.requireNonNull(pg, "pg");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        tables = List.copyOf(tables);
        kafkaProperties = kafkaProperties == null ? new Properties() : kafkaProperties;
        ddlCapture = ddlCapture == null ? DdlCaptureMode.OFF : ddlCapture;
    }

    /**
     * Defaults for everything but the connections; for tests and embedding. DDL capture is off here (it installs a
     * database-wide event trigger: embedding code opts in with {@link #withDdlCapture}); the command line's default is auto.
     */
    public static ProducerSettings of(PgUrl pg, String bootstrapServers, String topicPrefix) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, "pgkb", "pgkb", List.of(), 1, new Properties(),
                DEFAULT_MAX_MESSAGE_BYTES, MissingIdentity.SKIP, false, Duration.ofSeconds(10), Duration.ofMillis(200), DdlCaptureMode.OFF);
    }

    public ProducerSettings withSlot(String slotName, String publicationName) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slotName, publicationName, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture);
    }

    public ProducerSettings withTables(List<TableId> list) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, list, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture);
    }

    public ProducerSettings withPartitions(int n) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, n,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture);
    }

    public ProducerSettings withRefreshInterval(Duration d) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, d, confirmInterval, ddlCapture);
    }

    public ProducerSettings withOnMissingIdentity(MissingIdentity m) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, m, recreateSlot, refreshInterval, confirmInterval, ddlCapture);
    }

    public ProducerSettings withRecreateSlot(boolean r) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, r, refreshInterval, confirmInterval, ddlCapture);
    }

    public ProducerSettings withKafkaProperties(Properties p) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                p, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture);
    }

    public ProducerSettings withDdlCapture(DdlCaptureMode m) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, m);
    }

    public String progressTopic() {
        return topicPrefix + "._progress";
    }

    public String schemasTopic() {
        return topicPrefix + "._schemas";
    }
}
