package io.pgkb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class QuickStartIT {
    @Test
    void postgresStarts() throws Exception {
        try (LocalPostgres pg = LocalPostgres.start();
             Connection c = pg.connect("postgres");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW wal_level")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
            Properties wrong = new Properties();
            wrong.setProperty("user", pg.user());
            wrong.setProperty("password", "not-" + pg.password());
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl("postgres"), wrong).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void kafkaStarts() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(); var admin = kafka.admin()) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
    }
}
