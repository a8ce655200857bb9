package io.pgkb.testkit.internal;

/** The extension's Kafka broker, whether local or in a container, with outage control. */
public interface KafkaServer {
    String bootstrapServers();

    /** Makes the broker unreachable (kills or pauses it) without losing its data. */
    void stopBroker();

    /** Ends an outage started by {@link #stopBroker()} and waits until the broker answers. */
    void startBroker();

    boolean isBrokerRunning();
}
