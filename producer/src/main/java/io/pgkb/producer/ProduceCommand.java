package io.pgkb.producer;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.Durations;
import io.pgkb.schemas.config.KafkaOptions;
import io.pgkb.schemas.config.PgOption;
import io.pgkb.schemas.config.TopicPrefixOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgkb produce}: streams a PostgreSQL database's changes into Kafka until SIGTERM. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Read a pgoutput logical replication slot and publish every change to Kafka, one topic per table.")
public final class ProduceCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ProduceCommand.class);

    @Mixin
    PgOption pg = new PgOption();

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Mixin
    TopicPrefixOption topicPrefix = new TopicPrefixOption();

    @Option(names = "--slot", paramLabel = "NAME", defaultValue = ProducerSettings.DEFAULT_SLOT,
            description = "logical replication slot, created when missing on first run (default: ${DEFAULT-VALUE})")
    String slot;

    @Option(names = "--publication", paramLabel = "NAME", defaultValue = ProducerSettings.DEFAULT_PUBLICATION,
            description = "publication, created when missing and kept listing the tables to back up (default: ${DEFAULT-VALUE})")
    String publication;

    @Option(names = "--tables", paramLabel = "LIST",
            description = "comma-separated tables (schema.table, double-quoted where needed); default: every table outside system schemas, including ones created later")
    String tables;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = ProducerSettings.DEFAULT_PARTITIONS,
            description = "partitions of table topics the producer creates (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--max-message-bytes", paramLabel = "SIZE", defaultValue = ProducerSettings.DEFAULT_MAX_MESSAGE_SIZE,
            description = "largest change record; topics are created with this max.message.bytes (default: ${DEFAULT-VALUE})")
    String maxMessageBytes;

    @Option(names = "--on-missing-identity", paramLabel = "skip|fail", defaultValue = ProducerSettings.DEFAULT_ON_MISSING_IDENTITY,
            description = "a table without primary key or REPLICA IDENTITY FULL/INDEX is never published; skip it with a warning or fail (default: ${DEFAULT-VALUE})")
    String onMissingIdentity;

    @Option(names = "--recreate-slot", defaultValue = "false",
            description = "when the slot is missing (with history in <prefix>._progress) or invalidated: create it again and record a GAP (default: ${DEFAULT-VALUE})")
    boolean recreateSlot;

    @Option(names = "--refresh-interval", paramLabel = "DURATION", defaultValue = ProducerSettings.DEFAULT_REFRESH_INTERVAL,
            description = "how often new tables are added to the publication (default: ${DEFAULT-VALUE})")
    String refreshInterval;

    @Option(names = "--ddl-capture", paramLabel = "auto|require|off", defaultValue = "auto",
            description = "capture DDL in stream order with an event trigger: auto installs it when the role may (superuser) "
                    + "or uses it when installed, else records that capture is off; require fails (exit 2) when it is not "
                    + "possible; off never captures (default: ${DEFAULT-VALUE})")
    String ddlCapture;

    // help = true: like --help, it needs none of the required options (picocli skips their check when it is given)
    @SuppressWarnings("deprecation")
    @Option(names = "--schema-registry", paramLabel = "URL",
            description = "Registry mode: keys and values in the Confluent wire format, schemas registered under <topic>-key/<topic>-value of this registry (Confluent REST API). A prefix keeps its mode for its life.")
    String schemaRegistry;

    @Option(names = "--schema-registry-config", paramLabel = "FILE",
            description = "Schema registry client settings: basic.auth.user.info=user:password, schema.registry.ssl.truststore.location/.password/.type")
    Path schemaRegistryConfig;

    @Option(names = "--print-ddl-capture-sql", defaultValue = "false", help = true,
            description = "print the SQL a DBA runs (as a superuser, or the managed service's admin role) to install DDL capture, and exit")
    boolean printDdlCaptureSql;

    /** Parses and checks every option; errors name the option (exit 2). */
    public ProducerSettings validate() {
        ProducerSettings.Builder settings = ProducerSettings.builder(pg.url(), kafka.bootstrapServers(), topicPrefix.value())
                .slot(slot).publication(publication);
        List<TableId> list;
        try {
            list = tables == null ? List.of() : TableId.parseList(tables);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--tables: " + e.getMessage());
        }
        if (tables != null && list.isEmpty()) {
            throw new PgkbException.ConfigException("--tables: empty list");
        }
        settings.tables(list).partitions(partitions).maxMessageSize(maxMessageBytes);
        try {
            settings.onMissingIdentity(ProducerSettings.MissingIdentity.valueOf(onMissingIdentity.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--on-missing-identity: '" + onMissingIdentity + "' is not skip or fail");
        }
        settings.recreateSlot(recreateSlot);
        settings.refreshInterval(Durations.option("--refresh-interval", refreshInterval));
        try {
            settings.ddlCapture(ProducerSettings.DdlCaptureMode.valueOf(ddlCapture.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--ddl-capture: '" + ddlCapture + "' is not auto, require or off");
        }
        if (schemaRegistryConfig != null && schemaRegistry == null) {
            throw new PgkbException.ConfigException("--schema-registry-config: only with --schema-registry");
        }
        settings.schemaRegistry(schemaRegistry == null ? null : SchemaRegistrySettings.parse(schemaRegistry, schemaRegistryConfig));
        return settings.kafkaProperties(kafka.fileProperties()).build();
    }

    @Override
    public Integer call() {
        if (printDdlCaptureSql) {
            System.out.print(DdlCaptureScript.installSql());
            System.out.flush();
            return 0;
        }
        ProducerSettings config = validate();
        Producer producer = new Producer(config);
        Thread hook = new Thread(() -> {
            log.info("SIGTERM: stopping");
            producer.stop();
            // a signal would otherwise end the JVM with 143; a clean stop is exit 0 (flushed, confirmed, progress written)
            Runtime.getRuntime().halt(producer.failure() == null ? 0 : 1);
        }, "pgkb-producer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            producer.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the producer to finish
            }
        }
        return 0;
    }
}
