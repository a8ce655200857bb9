package io.pgkb.cli.internal;

import io.pgkb.schemas.config.KafkaClientFile;
import java.nio.file.Path;
import java.util.Properties;

/** {@code --kafka-config FILE}: a Kafka client properties file (TLS, SASL) as Kafka's own tools take it. */
public final class KafkaClientConfig {
    private KafkaClientConfig() {
    }

    public static Properties load(Path file) {
        return KafkaClientFile.load(file);
    }
}
