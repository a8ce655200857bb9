package io.pgkb.schemas.config;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/** {@code --kafka-config FILE}: a Kafka client properties file (TLS, SASL) as Kafka's own tools take it. */
public final class KafkaClientFile {
    private KafkaClientFile() {
    }

    /** The file's properties; empty for null. A missing or unreadable file is a configuration error (exit 2). */
    public static Properties load(Path file) {
        Properties p = new Properties();
        if (file == null) {
            return p;
        }
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new PgkbException.ConfigException("--kafka-config: " + file + ": no such file");
        } catch (IOException e) {
            throw new PgkbException.ConfigException("--kafka-config: cannot read " + file + ": " + e.getMessage());
        }
        return p;
    }
}
