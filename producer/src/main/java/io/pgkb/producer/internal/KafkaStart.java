package io.pgkb.producer.internal;

import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaRegistrar;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Kafka's side of a producer's start, on a thread of its own while the producer connects to PostgreSQL and checks it
 * (neither needs the other until the slot; side by side a restart is ready sooner, issue 16): waits for the cluster,
 * opens the clients and reads {@code _schemas} to its end. It only reads: a start PostgreSQL refuses writes nothing to
 * Kafka. What it opened is closed when it fails, or by {@link #close} when the producer's start fails.
 *
 * @param schemas {@code _schemas} read to its end at start; the producer closes it once it used it
 */
public record KafkaStart(Admin admin, KafkaProducer<byte[], byte[]> producer, SchemaRegistrar registrar,
                         KafkaSchemaResolver schemas) implements AutoCloseable {

    /** Starts it on a daemon thread; {@code stopping} ends a wait for the cluster. */
    public static CompletableFuture<KafkaStart> begin(Properties client, Map<String, Object> clientMap, String bootstrapServers,
                                                      String prefix, Properties producerConfig, StartupPhases phases,
                                                      BooleanSupplier stopping) {
        return CompletableFuture.supplyAsync(() -> open(client, clientMap, bootstrapServers, prefix, producerConfig, phases, stopping), r -> {
            Thread t = new Thread(r, "pgkb-producer-start-kafka");
            t.setDaemon(true);
            t.start();
        });
    }

    private static KafkaStart open(Properties client, Map<String, Object> clientMap, String bootstrapServers, String prefix,
                                   Properties producerConfig, StartupPhases phases, BooleanSupplier stopping) {
        long t0 = phases.now();
        Admin admin = Admin.create(client);
        KafkaProducer<byte[], byte[]> producer = null;
        SchemaRegistrar registrar = null;
        KafkaSchemaResolver schemas = null;
        try {
            KafkaStartWait.await(admin, bootstrapServers, stopping);
            producer = new KafkaProducer<>(producerConfig);
            registrar = new SchemaRegistrar(clientMap, prefix);
            phases.done("kafka", t0);
            long t1 = phases.now();
            schemas = new KafkaSchemaResolver(clientMap, prefix);
            schemas.refresh();
            phases.done("_schemas read", t1);
            return new KafkaStart(admin, producer, registrar, schemas);
        } catch (RuntimeException | Error e) {
            new KafkaStart(admin, producer, registrar, schemas).close();
            throw e;
        }
    }

    /** Its result, or what it failed with (as the producer's start throws it). */
    public static KafkaStart join(CompletableFuture<KafkaStart> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new PgkbException.FatalException("producer setup failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (schemas != null) {
            schemas.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(30));
        }
        if (registrar != null) {
            registrar.close();
        }
        admin.close(Duration.ofSeconds(10));
    }
}
