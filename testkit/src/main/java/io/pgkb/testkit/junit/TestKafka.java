package io.pgkb.testkit.junit;

import io.pgkb.testkit.internal.KafkaServer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The shared Kafka broker as one test class sees it: a topic prefix of its own, so classes never share
 * topics or consumer groups.
 *
 * <p>{@link #stopBroker()} starts a Kafka outage for every test in the JVM: a test that calls it must call
 * {@link #startBroker()} again (in a {@code finally}); the extension restarts a broker left stopped after
 * each test, so one forgetful test does not break the next.
 */
public final class TestKafka implements AutoCloseable {
    private final KafkaServer server;
    private final String prefix;
    private Admin admin;

    TestKafka(KafkaServer server, String prefix) {
        this.server = server;
        this.prefix = prefix;
    }

    public String bootstrapServers() {
        return server.bootstrapServers();
    }

    /** A topic prefix unique to this test class, e.g. {@code it7-producerit}; valid as a topic name part. */
    public String prefix() {
        return prefix;
    }

    /** {@code prefix() + "." + name}. */
    public String topic(String name) {
        return prefix + "." + name;
    }

    /** A consumer group id unique to this test class. */
    public String groupId(String name) {
        return prefix + "-" + name;
    }

    /**
     * An admin client shared by this test class and closed by the extension after the class; do not close it.
     */
    public synchronized Admin admin() {
        if (admin == null) {
            Properties p = clientProperties();
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
            admin = Admin.create(p);
        }
        return admin;
    }

    /** Creates topics with one replica and waits for completion. */
    public void createTopic(String name, int partitions, Map<String, String> config) {
        try {
            admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getMessage(), e);
        }
    }

    /** Names of the topics that start with this class's prefix. */
    public Collection<String> topics() {
        try {
            return admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(prefix + ".")).sorted().toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + e.getMessage(), e);
        }
    }

    /** Just {@code bootstrap.servers}. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /** byte[] producer with acks=all and idempotence. */
    public Properties producerProperties() {
        Properties p = clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** byte[] consumer reading from the earliest offset, without auto commit. */
    public Properties consumerProperties(String group) {
        Properties p = clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(group));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** Starts a Kafka outage (kills the local broker, keeps its data). Call {@link #startBroker()} after. */
    public void stopBroker() {
        server.stopBroker();
    }

    /** Ends the outage: the broker is back on the same address with the same data when this returns. */
    public void startBroker() {
        server.startBroker();
    }

    public boolean isBrokerRunning() {
        return server.isBrokerRunning();
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    @Override
    public String toString() {
        return "TestKafka{bootstrapServers=" + bootstrapServers() + ", prefix=" + prefix + "}";
    }
}
