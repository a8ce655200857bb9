package io.pgkb.restorer;

import io.pgkb.restorer.internal.KafkaTail;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.KafkaClientFile;
import io.pgkb.schemas.config.KafkaOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --bootstrap-servers} and {@code --kafka-config} of restore, list and history: the tail still in Kafka (DESIGN §12). */
public final class KafkaTailOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOSTS",
            description = "Also read what the archive lacks yet from these Kafka brokers (no consumer group, nothing committed): "
                    + "reaches the newest point the producer confirmed while the archiver lags or is down")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties file (TLS, SASL), with --bootstrap-servers")
    Path kafkaConfig;

    public void validate() {
        if (kafkaConfig != null && bootstrapServers == null) {
            throw new PgkbException.ConfigException("--kafka-config: only with --bootstrap-servers");
        }
        if (bootstrapServers != null) {
            KafkaOptions.checkServers(bootstrapServers);
        }
        KafkaClientFile.load(kafkaConfig);
    }

    /** The tail reader, or null without {@code --bootstrap-servers} (the archive alone). */
    public KafkaTail open(String prefix) {
        return bootstrapServers == null ? null
                : new KafkaTail(KafkaOptions.checkServers(bootstrapServers), KafkaClientFile.load(kafkaConfig), prefix);
    }
}
