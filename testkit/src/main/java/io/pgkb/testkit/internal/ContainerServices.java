package io.pgkb.testkit.internal;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL and Kafka from Testcontainers, used instead of the local services when
 * {@code -Dpgkb.it.services=testcontainers} is set and a Docker engine answers. Loaded only then, so the
 * (optional) Testcontainers jars are needed only by modules that use the switch.
 */
public final class ContainerServices implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContainerServices.class);
    public static final String POSTGRES_IMAGE = System.getProperty("pgkb.it.postgresImage", "postgres:17");
    public static final String KAFKA_IMAGE = System.getProperty("pgkb.it.kafkaImage", "apache/kafka:4.1.0");
    private static final String MAX_MESSAGE_BYTES = String.valueOf(70 * 1024 * 1024);

    private PostgreSQLContainer<?> postgres;
    private KafkaContainer kafka;
    private boolean kafkaPaused;

    public static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    public synchronized PostgresServer postgres() {
        if (postgres == null) {
            PostgreSQLContainer<?> c = new PostgreSQLContainer<>(DockerImageName.parse(POSTGRES_IMAGE)
                    .asCompatibleSubstituteFor("postgres"))
                    .withUsername("postgres")
                    .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=32",
                            "-c", "max_wal_senders=32");
            c.start();
            postgres = c;
            log.info("postgres container started image={} port={}", POSTGRES_IMAGE, c.getFirstMappedPort());
        }
        PostgreSQLContainer<?> c = postgres;
        return new PostgresServer() {
            @Override
            public String host() {
                return c.getHost();
            }

            @Override
            public int port() {
                return c.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
            }

            @Override
            public String user() {
                return c.getUsername();
            }

            @Override
            public String password() {
                return c.getPassword();
            }
        };
    }

    public synchronized KafkaServer kafka() {
        if (kafka == null) {
            KafkaContainer c = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                    .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                    .withEnv("KAFKA_MIN_INSYNC_REPLICAS", "1")
                    .withEnv("KAFKA_MESSAGE_MAX_BYTES", MAX_MESSAGE_BYTES)
                    .withEnv("KAFKA_REPLICA_FETCH_MAX_BYTES", MAX_MESSAGE_BYTES);
            c.start();
            kafka = c;
            log.info("kafka container started image={} bootstrapServers={}", KAFKA_IMAGE, c.getBootstrapServers());
        }
        return new KafkaServer() {
            @Override
            public String bootstrapServers() {
                return kafka.getBootstrapServers();
            }

            @Override
            public void stopBroker() {
                // pausing keeps the mapped port, which a container restart would not
                synchronized (ContainerServices.this) {
                    kafka.getDockerClient().pauseContainerCmd(kafka.getContainerId()).exec();
                    kafkaPaused = true;
                }
            }

            @Override
            public void startBroker() {
                synchronized (ContainerServices.this) {
                    if (kafkaPaused) {
                        kafka.getDockerClient().unpauseContainerCmd(kafka.getContainerId()).exec();
                        kafkaPaused = false;
                    }
                }
                awaitKafka(kafka.getBootstrapServers());
            }

            @Override
            public boolean isBrokerRunning() {
                synchronized (ContainerServices.this) {
                    return !kafkaPaused;
                }
            }
        };
    }

    private static void awaitKafka(String bootstrapServers) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } catch (Exception notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka container not ready after 60s", notYet);
                    }
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (kafka != null) {
            kafka.stop();
            kafka = null;
        }
        if (postgres != null) {
            postgres.stop();
            postgres = null;
        }
    }
}
