package io.pgkb.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.testkit.internal.PostgresServer;
import org.junit.jupiter.api.Test;

class TestDatabaseTest {
    private static final PostgresServer SERVER = new PostgresServer() {
        @Override
        public String host() {
            return "localhost";
        }

        @Override
        public int port() {
            return 5555;
        }

        @Override
        public String user() {
            return "postgres";
        }

        @Override
        public String password() {
            return "p@ss:w/rd";
        }
    };

    @Test
    void urisEncodeTheCredentialsAndNameTheDatabase() {
        TestDatabase db = new TestDatabase(SERVER, "it1_x");
        assertThat(db.uri()).isEqualTo("postgresql://postgres:p%40ss%3Aw%2Frd@localhost:5555/it1_x");
        assertThat(db.uriWithoutPassword()).isEqualTo("postgresql://postgres@localhost:5555/it1_x");
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5555/it1_x");
        assertThat(db.jdbcUrlWithCredentials()).endsWith("?user=postgres&password=p%40ss%3Aw%2Frd");
        assertThat(db.environment()).containsEntry("PGPASSWORD", "p@ss:w/rd").containsEntry("PGDATABASE", "it1_x")
                .containsEntry("PGPORT", "5555");
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertThat(new TestDatabase(SERVER, "it1_x").toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
    }

    @Test
    void classNamesBecomeSafeIdentifierAndTopicParts() {
        assertThat(RealServicesExtension.shortName("io.pgkb.producer.ProducerIT", '_')).isEqualTo("producerit");
        assertThat(RealServicesExtension.shortName("io.pgkb.x.Outer$Inner_Case", '-')).isEqualTo("outer-inner-case");
        assertThat(RealServicesExtension.shortName("a.B" + "x".repeat(100), '_')).hasSize(40);
    }
}
