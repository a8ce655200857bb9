package io.pgkb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import io.pgkb.testkit.junit.TestKafka;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Smoke checks of the real services every module's integration tests rely on. */
@RealServices
class RealServicesIT {

    @Test
    void postgresHasLogicalWalAndAPgoutputSlotSeesChanges(TestDatabase db) {
        SmokeChecks.logicalWalAndPgoutputSlot(db);
    }

    @Test
    void kafkaRoundTripWithAcksAll(TestKafka kafka) throws Exception {
        SmokeChecks.kafkaRoundTrip(kafka);
    }

    @Test
    void produceTimesOutDuringABrokerOutageAndWorksAfterwards(TestKafka kafka) throws Exception {
        SmokeChecks.brokerOutage(kafka);
    }

    @Test
    void postgresRestartKeepsDataAndPort(LocalPostgres pg, TestDatabase db) {
        db.execute("CREATE TABLE kept (id int PRIMARY KEY)", "INSERT INTO kept SELECT generate_series(1, 100)");
        int port = pg.port();
        pg.restart();
        assertThat(pg.port()).isEqualTo(port);
        assertThat(db.queryForLong("SELECT count(*) FROM kept")).isEqualTo(100);
    }

    @Test
    void postgresCrashKeepsCommittedData(LocalPostgres pg, TestDatabase db) {
        db.execute("CREATE TABLE crashed (id int PRIMARY KEY)", "INSERT INTO crashed SELECT generate_series(1, 50)");
        pg.crash();
        assertThat(pg.isRunning()).isFalse();
        pg.startAgain();
        assertThat(db.queryForLong("SELECT count(*) FROM crashed")).isEqualTo(50);
    }

    @Test
    void postgresRequiresThePassword(LocalPostgres pg, TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            assertThat(c.isValid(5)).isTrue();
        }
        Properties wrong = new Properties();
        wrong.setProperty("user", pg.user());
        wrong.setProperty("password", "not-" + pg.password());
        assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), wrong).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void eachTestClassGetsItsOwnDatabaseAndPrefix(TestDatabase db, TestKafka kafka) {
        assertThat(db.name()).startsWith("it").endsWith("_realservicesit");
        assertThat(kafka.prefix()).startsWith("it").endsWith("-realservicesit");
        assertThat(db.queryForString("SELECT current_database()")).isEqualTo(db.name());
        assertThat(db.uri()).startsWith("postgresql://postgres:").contains("@localhost:" + db.port() + "/" + db.name());
    }
}
