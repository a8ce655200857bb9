package io.pgkb.producer;

import io.pgkb.schemas.TableId;
import io.pgkb.schemas.Topics;
import io.pgkb.schemas.config.Durations;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.config.Sizes;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * Everything a {@link Producer} needs, already validated. Built by {@link ProduceCommand} or directly in tests.
 *
 * @param tables            explicit table list, or empty for every table of the database (except system schemas)
 * @param kafkaProperties   extra Kafka client properties (TLS, SASL) from {@code --kafka-config}
 * @param refreshInterval   how often the publication is compared with the tables that exist
 * @param schemaRegistry    registry mode (DESIGN §14): the registry; null for Avro single-object encoding
 */
public record ProducerSettings(PgUrl pg, String bootstrapServers, String topicPrefix, String slot, String publication,
                             List<TableId> tables, int partitions, Properties kafkaProperties, long maxMessageBytes,
                             MissingIdentity onMissingIdentity, boolean recreateSlot, Duration refreshInterval,
                             Duration confirmInterval, DdlCaptureMode ddlCapture, SchemaRegistrySettings schemaRegistry) {

    /** What to do with a table that has no usable replica identity. */
    public enum MissingIdentity { SKIP, FAIL }

    /**
     * {@code --ddl-capture}: AUTO installs the event trigger when the role may and uses it when installed, else
     * records that capture is off; REQUIRE fails (exit 2) when it is not possible; OFF never captures DDL.
     */
    public enum DdlCaptureMode { AUTO, REQUIRE, OFF }

    // Each default once, as the text an operator would type: the command's @Option and of() both use it.
    public static final String DEFAULT_SLOT = "pgkb";
    public static final String DEFAULT_PUBLICATION = "pgkb";
    public static final String DEFAULT_PARTITIONS = "1";
    public static final String DEFAULT_MAX_MESSAGE_SIZE = "64MiB";
    public static final String DEFAULT_ON_MISSING_IDENTITY = "skip";
    public static final String DEFAULT_REFRESH_INTERVAL = "10s";
    public static final long DEFAULT_MAX_MESSAGE_BYTES = Sizes.parse(DEFAULT_MAX_MESSAGE_SIZE);
    /** How often acknowledged transactions are confirmed; not an option. */
    public static final Duration CONFIRM_INTERVAL = Duration.ofMillis(200);

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
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, DEFAULT_SLOT, DEFAULT_PUBLICATION, List.of(),
                Integer.parseInt(DEFAULT_PARTITIONS), new Properties(), DEFAULT_MAX_MESSAGE_BYTES,
                MissingIdentity.valueOf(DEFAULT_ON_MISSING_IDENTITY.toUpperCase(Locale.ROOT)), false,
                Durations.parse(DEFAULT_REFRESH_INTERVAL), CONFIRM_INTERVAL, DdlCaptureMode.OFF, null);
    }

    public ProducerSettings withSlot(String slotName, String publicationName) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slotName, publicationName, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture, schemaRegistry);
    }

    public ProducerSettings withTables(List<TableId> list) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, list, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture, schemaRegistry);
    }

    public ProducerSettings withPartitions(int n) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, n,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture, schemaRegistry);
    }

    public ProducerSettings withRefreshInterval(Duration d) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, d, confirmInterval, ddlCapture, schemaRegistry);
    }

    public ProducerSettings withOnMissingIdentity(MissingIdentity m) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, m, recreateSlot, refreshInterval, confirmInterval, ddlCapture, schemaRegistry);
    }

    public ProducerSettings withRecreateSlot(boolean r) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, r, refreshInterval, confirmInterval, ddlCapture, schemaRegistry);
    }

    public ProducerSettings withKafkaProperties(Properties p) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                p, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture, schemaRegistry);
    }

    public ProducerSettings withDdlCapture(DdlCaptureMode m) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, m, schemaRegistry);
    }

    /** Registry mode with this registry (null: native single-object encoding). */
    public ProducerSettings withSchemaRegistry(SchemaRegistrySettings r) {
        return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions,
                kafkaProperties, maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture, r);
    }

    public String progressTopic() {
        return new Topics(topicPrefix).progress();
    }

    public String schemasTopic() {
        return new Topics(topicPrefix).schemas();
    }
}
