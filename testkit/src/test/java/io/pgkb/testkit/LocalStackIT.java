package io.pgkb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackIT {

    @Test
    void keepsPostgresAndKafkaDataAcrossStops(@TempDir Path dir) throws Exception {
        String uri;
        try (LocalStack stack = LocalStack.start(dir)) {
            stack.createDatabaseIfMissing("shop");
            stack.createDatabaseIfMissing("shop");
            try (Connection c = stack.postgres().connect("shop"); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders (id int PRIMARY KEY)");
                st.execute("INSERT INTO orders VALUES (1), (2), (3)");
            }
            try (Admin admin = stack.kafka().admin()) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            uri = stack.postgresUri("shop");
            assertThat(uri).startsWith("postgresql://postgres:").endsWith("/shop");
        }
        assertThat(Files.exists(dir.resolve("postgres/data/PG_VERSION"))).isTrue();
        assertThat(Files.exists(dir.resolve("kafka/data/meta.properties"))).isTrue();

        try (LocalStack again = LocalStack.start(dir)) {
            assertThat(again.postgres().password()).as("password kept with the data").isEqualTo(uri.split("[:@]")[2]);
            try (Connection c = again.postgres().connect("shop"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(3);
            }
            try (Admin admin = again.kafka().admin()) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
            }
        }
    }
}
