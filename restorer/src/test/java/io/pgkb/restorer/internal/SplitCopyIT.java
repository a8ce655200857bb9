package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgkb.restorer.SplitCopy;
import io.pgkb.testkit.LocalPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A load's COPY spread over two connections, on a real server: every row lands once, or none does. */
class SplitCopyIT {
    private static final String DB = "postgres";
    private static LocalPostgres pg;

    @BeforeAll
    static void start() {
        pg = LocalPostgres.start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void everyRowLandsOnceAndBothConnectionsCarryRows() throws Exception {
        exec("CREATE TABLE split_ok (id bigint, s text)");
        try (Connection first = connection()) {
            try (SplitCopy copy = new SplitCopy(first, this::connection, 2, "COPY split_ok FROM STDIN")) {
                for (int chunk = 0; chunk < 40; chunk++) {
                    byte[] b = rows(chunk * 1000, 1000);
                    copy.write(b, 0, b.length);
                }
                assertThat(copy.finish()).isEqualTo(40_000);
            }
            first.commit();
        }
        // one transaction per connection: two xmin values
        assertThat(query("SELECT count(*), count(DISTINCT id), sum(id), count(DISTINCT xmin::text) FROM split_ok"))
                .isEqualTo("40000 40000 799980000 2");
    }

    @Test
    void aBadRowOnTheSecondConnectionFailsTheLoadAndNoRowStays() throws Exception {
        exec("CREATE TABLE split_bad (id bigint, s text)");
        try (Connection first = connection()) {
            try (SplitCopy copy = new SplitCopy(first, this::connection, 2, "COPY split_bad FROM STDIN")) {
                byte[] good = rows(0, 1000);
                byte[] bad = "1\tx\nnot a number\ty\n".getBytes(StandardCharsets.UTF_8);
                copy.write(good, 0, good.length); // first connection
                copy.write(bad, 0, bad.length); // second connection
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 100; i++) {
                        copy.write(good, 0, good.length);
                    }
                    copy.finish();
                }).isInstanceOf(SQLException.class).hasMessageContaining("invalid input syntax for type bigint");
            }
            first.rollback();
        }
        assertThat(query("SELECT count(*) FROM split_bad")).isEqualTo("0");
    }

    @Test
    void givingUpBeforeTheEndLeavesNoRowAndNoConnection() throws Exception {
        exec("CREATE TABLE split_abandoned (id bigint, s text)");
        String before = query("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'");
        try (Connection first = connection()) {
            try (SplitCopy copy = new SplitCopy(first, this::connection, 2, "COPY split_abandoned FROM STDIN")) {
                for (int chunk = 0; chunk < 10; chunk++) {
                    byte[] b = rows(chunk * 1000, 1000);
                    copy.write(b, 0, b.length);
                }
                // as when the dump turns out damaged half-way: no finish()
            }
            first.rollback();
            try (Statement st = first.createStatement()) {
                st.execute("SELECT 1"); // the first connection is usable again
            }
            first.commit();
        }
        assertThat(query("SELECT count(*) FROM split_abandoned")).isEqualTo("0");
        // a closed connection's backend exits just after the close
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(query("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")).isEqualTo(before));
    }

    private Connection connection() throws SQLException {
        Connection c = pg.connect(DB);
        c.setAutoCommit(false);
        return c;
    }

    /** {@code n} rows of COPY text, ids from {@code from}. */
    private static byte[] rows(int from, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            b.append(i).append("\trow ").append(i).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The first row's columns, space-separated. */
    private static String query(String sql) throws SQLException {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                b.append(i > 1 ? " " : "").append(rs.getString(i));
            }
            return b.toString();
        }
    }
}
