package io.pgkb.testkit;

import java.nio.file.Path;
import java.util.Map;

/**
 * PostgreSQL and Kafka for {@code pgkb quickstart}: both keep their data under one directory
 * ({@code <dir>/postgres}, {@code <dir>/kafka}), so stopping and starting again on the same directory
 * resumes where it was. {@link #close()} stops both and keeps the data.
 */
public final class LocalStack implements AutoCloseable {
    private final LocalPostgres postgres;
    private final LocalKafka kafka;

    private LocalStack(LocalPostgres postgres, LocalKafka kafka) {
        this.postgres = postgres;
        this.kafka = kafka;
    }

    /** Starts both on free ports. */
    public static LocalStack start(Path directory) {
        return start(directory, 0, 0);
    }

    /** Starts both; a port of 0 means a free one. */
    public static LocalStack start(Path directory, int postgresPort, int kafkaPort) {
        Path dir = directory.toAbsolutePath();
        LocalPostgres pg = LocalPostgres.start(dir.resolve("postgres").resolve("data"), postgresPort, Map.of());
        try {
            return new LocalStack(pg, LocalKafka.start(dir.resolve("kafka"), kafkaPort));
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public LocalKafka kafka() {
        return kafka;
    }

    /** {@code postgresql://postgres:<password>@localhost:<port>/<database>}. */
    public String postgresUri(String database) {
        return postgres.uri(database);
    }

    public String jdbcUrl(String database) {
        return postgres.jdbcUrl(database);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Creates the database unless it exists. */
    public void createDatabaseIfMissing(String name) {
        postgres.createDatabaseIfMissing(name);
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            postgres.close();
        }
    }

    @Override
    public String toString() {
        return "LocalStack{postgres=" + postgres.jdbcUrl("postgres") + ", kafka=" + bootstrapServers() + "}";
    }
}
