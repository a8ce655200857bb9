package io.pgkb.schemas.config;

import io.pgkb.schemas.PgkbException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * {@code --bootstrap-servers} and {@code --kafka-config} of the commands that need Kafka (a picocli mixin): the
 * client settings are the file's, loaded by {@link KafkaClientFile}, plus the bootstrap servers.
 */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOSTS",
            description = "Kafka bootstrap servers, host:port[,host:port]")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties file (TLS, SASL, timeouts), as Kafka's own tools take it")
    Path kafkaConfig;

    /** The bootstrap servers; a ConfigException naming the option (exit 2) when missing. */
    public String bootstrapServers() {
        return checkServers(bootstrapServers);
    }

    /**
     * The one rule of {@code --bootstrap-servers}, here and where the option is optional (the restorer's Kafka tail):
     * not blank; returned stripped.
     */
    public static String checkServers(String text) {
        if (text == null || text.isBlank()) {
            throw new PgkbException.ConfigException("--bootstrap-servers: missing (host:port[,host:port])");
        }
        return text.strip();
    }

    /** The properties of {@code --kafka-config}, without the bootstrap servers; empty without the option. */
    public Properties fileProperties() {
        return KafkaClientFile.load(kafkaConfig);
    }

    /** Every client setting: the file's, then {@code bootstrap.servers}. */
    public Properties clientProperties() {
        Properties p = fileProperties();
        p.put("bootstrap.servers", bootstrapServers());
        return p;
    }

    /** {@link #clientProperties()} as a map. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> m = new HashMap<>();
        clientProperties().forEach((k, v) -> m.put(k.toString(), v));
        return m;
    }

    /** Checks both options (exit 2 naming the option). */
    public void validate() {
        bootstrapServers();
        fileProperties();
    }
}
