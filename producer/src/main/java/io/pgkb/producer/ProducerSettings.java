package io.pgkb.producer;

import io.pgkb.schemas.PgkbException;
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
 * Everything a {@link Producer} needs, already validated. Built with {@link #builder} by {@link ProduceCommand}, tests
 * and embedding code.
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

    // Each default once, as the text an operator would type: the command's @Option and the Builder both use it.
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
     * Settings with every default but the connections; for tests and embedding. DDL capture is off here (it installs a
     * database-wide event trigger: embedding code opts in with {@link Builder#ddlCapture}); the command line's default is auto.
     */
    public static Builder builder(PgUrl pg, String bootstrapServers, String topicPrefix) {
        return new Builder(pg, bootstrapServers, topicPrefix);
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder(pg, bootstrapServers, topicPrefix);
        b.slot = slot;
        b.publication = publication;
        b.tables = tables;
        b.partitions = partitions;
        b.kafkaProperties = kafkaProperties;
        b.maxMessageBytes = maxMessageBytes;
        b.onMissingIdentity = onMissingIdentity;
        b.recreateSlot = recreateSlot;
        b.refreshInterval = refreshInterval;
        b.confirmInterval = confirmInterval;
        b.ddlCapture = ddlCapture;
        b.schemaRegistry = schemaRegistry;
        return b;
    }

    /**
     * Each setting's default and rule, once: {@link ProduceCommand} sets what its options say through it, embedding code
     * what it needs. A value against the rule is a {@code PgkbException.ConfigException} naming the command's option.
     */
    public static final class Builder {
        private final PgUrl pg;
        private final String bootstrapServers;
        private final String topicPrefix;
        private String slot = DEFAULT_SLOT;
        private String publication = DEFAULT_PUBLICATION;
        private List<TableId> tables = List.of();
        private int partitions = Integer.parseInt(DEFAULT_PARTITIONS);
        private Properties kafkaProperties = new Properties();
        private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private MissingIdentity onMissingIdentity = MissingIdentity.valueOf(DEFAULT_ON_MISSING_IDENTITY.toUpperCase(Locale.ROOT));
        private boolean recreateSlot;
        private Duration refreshInterval = Durations.parse(DEFAULT_REFRESH_INTERVAL);
        private Duration confirmInterval = CONFIRM_INTERVAL;
        private DdlCaptureMode ddlCapture = DdlCaptureMode.OFF;
        private SchemaRegistrySettings schemaRegistry;

        private Builder(PgUrl pg, String bootstrapServers, String topicPrefix) {
            this.pg = pg;
            this.bootstrapServers = bootstrapServers;
            this.topicPrefix = topicPrefix;
        }

        /** The logical replication slot, created when missing on the first run. */
        public Builder slot(String name) {
            if (name == null || !name.matches("[a-z0-9_]{1,63}")) {
                throw new PgkbException.ConfigException("--slot: '" + name + "' is not a replication slot name (lower-case letters, digits, _; at most 63)");
            }
            this.slot = name;
            return this;
        }

        /** The publication, created when missing and kept listing the tables to back up. */
        public Builder publication(String name) {
            if (name == null || !name.matches("[a-z0-9_]{1,63}")) {
                throw new PgkbException.ConfigException("--publication: '" + name + "' must be lower-case letters, digits and _ (at most 63)");
            }
            this.publication = name;
            return this;
        }

        /** The tables to back up; empty: every table of the database outside system schemas, including later ones. */
        public Builder tables(List<TableId> list) {
            this.tables = list;
            return this;
        }

        /** Partitions of the table topics the producer creates. */
        public Builder partitions(int n) {
            if (n < 1 || n > 10_000) {
                throw new PgkbException.ConfigException("--partitions: " + n + " is not between 1 and 10000");
            }
            this.partitions = n;
            return this;
        }

        /** Extra Kafka client properties (TLS, SASL), as {@code --kafka-config} gives them. */
        public Builder kafkaProperties(Properties p) {
            this.kafkaProperties = p;
            return this;
        }

        /** The largest change record, as an operator writes it ({@code 64MiB}); topics are created with it. */
        public Builder maxMessageSize(String size) {
            long bytes = Sizes.option("--max-message-bytes", size);
            if (bytes < 1024 || bytes > Integer.MAX_VALUE / 2) {
                throw new PgkbException.ConfigException("--max-message-bytes: " + size + " is not between 1KiB and 1GiB");
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** What to do with a table without a usable replica identity. */
        public Builder onMissingIdentity(MissingIdentity m) {
            this.onMissingIdentity = m;
            return this;
        }

        /** A missing (with history) or invalidated slot is created again and a GAP recorded, instead of a loud stop. */
        public Builder recreateSlot(boolean r) {
            this.recreateSlot = r;
            return this;
        }

        /** How often the publication is compared with the tables that exist. */
        public Builder refreshInterval(Duration d) {
            if (d.toMillis() < 100) {
                throw new PgkbException.ConfigException("--refresh-interval: at least 100ms");
            }
            this.refreshInterval = d;
            return this;
        }

        public Builder ddlCapture(DdlCaptureMode m) {
            this.ddlCapture = m;
            return this;
        }

        /** Registry mode with this registry (null: native single-object encoding). */
        public Builder schemaRegistry(SchemaRegistrySettings r) {
            this.schemaRegistry = r;
            return this;
        }

        public ProducerSettings build() {
            return new ProducerSettings(pg, bootstrapServers, topicPrefix, slot, publication, tables, partitions, kafkaProperties,
                    maxMessageBytes, onMissingIdentity, recreateSlot, refreshInterval, confirmInterval, ddlCapture, schemaRegistry);
        }
    }

    public String progressTopic() {
        return new Topics(topicPrefix).progress();
    }

    public String schemasTopic() {
        return new Topics(topicPrefix).schemas();
    }
}
