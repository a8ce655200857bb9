package io.pgkb.testkit.junit;

import io.pgkb.testkit.SmokeChecks;
import io.pgkb.testkit.internal.ContainerServices;
import io.pgkb.testkit.internal.KafkaServer;
import io.pgkb.testkit.internal.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The smoke checks on Testcontainers' PostgreSQL and Kafka: what {@code -Dpgkb.it.services=testcontainers}
 * gives every module. Skipped where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersServicesIT {
    private static ContainerServices containers;
    private static TestDatabase db;
    private static TestKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        containers = new ContainerServices();
        PostgresServer pg = containers.postgres();
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/postgres", props);
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE containers_smoke");
        }
        db = new TestDatabase(pg, "containers_smoke");
        KafkaServer broker = containers.kafka();
        kafka = new TestKafka(broker, "containers-smoke");
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (containers != null) {
            containers.close();
        }
    }

    @Test
    void postgresHasLogicalWalAndAPgoutputSlotSeesChanges() {
        SmokeChecks.logicalWalAndPgoutputSlot(db);
    }

    @Test
    void kafkaRoundTripWithAcksAll() throws Exception {
        SmokeChecks.kafkaRoundTrip(kafka);
    }

    @Test
    void produceTimesOutWhileTheBrokerIsPausedAndWorksAfterwards() throws Exception {
        SmokeChecks.brokerOutage(kafka);
    }
}
