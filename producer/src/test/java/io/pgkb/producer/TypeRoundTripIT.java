package io.pgkb.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ChangeRecord;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * One column of every built-in type family (plus enum, domain, composite, hstore and citext from contrib, which the
 * embedded binaries ship): every value the producer publishes, turned back into text with toPgText, equals the text
 * PostgreSQL itself gives for it.
 */
class TypeRoundTripIT {
    private static final String[][] COLUMNS = {
            {"i2", "smallint", "-32768", "0", null},
            {"i4", "integer", "-2147483648", "2147483647", null},
            {"i8", "bigint", "9223372036854775807", "-9223372036854775808", null},
            {"n", "numeric", "12345678901234567890.123456789000", "'NaN'", null},
            {"n_inf", "numeric", "'Infinity'", "'-Infinity'", null},
            {"n102", "numeric(10,2)", "12345678.90", "'NaN'", null},
            {"n102b", "numeric(10,2)", "0", "-0.01", null},
            {"f4", "real", "1.5", "'NaN'", null},
            {"f8", "double precision", "3.141592653589793", "'-Infinity'", null},
            {"f8b", "double precision", "'Infinity'", "1e-300", null},
            {"m", "money", "'1234.56'", "'-0.01'", null},
            {"t", "text", "E'hello ''world'' \\\\ \\t tab\\nnewline ü 🐘'", "''", null},
            {"vc", "varchar(20)", "'vc'", "''", null},
            {"ch", "char(5)", "'ab'", "''", null},
            {"b", "bytea", "'\\xdeadbeef00'", "'\\x'", null},
            {"bo", "boolean", "true", "false", null},
            {"d", "date", "'2024-02-29'", "'infinity'", null},
            {"d2", "date", "'0001-01-01 BC'", "'-infinity'", null},
            {"tm", "time", "'23:59:59.999999'", "'00:00:00'", null},
            {"tmtz", "timetz", "'12:00:00+05:30'", "'00:00:00-01'", null},
            {"ts", "timestamp", "'2024-01-01 12:34:56.789012'", "'-infinity'", null},
            {"ts3", "timestamp(3)", "'2024-01-01 12:34:56.789'", "'infinity'", null},
            {"tstz", "timestamptz", "'2024-01-01 12:34:56.789012+02'", "'infinity'", null},
            {"tstz_bc", "timestamptz", "'0044-03-15 12:00:00+00 BC'", "'1970-01-01 00:00:00+00'", null},
            {"iv", "interval", "'1 year 2 mons 3 days 04:05:06.789'", "'-1 days +02:03:00'", null},
            {"u", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'", null},
            {"j", "json", "'{\"a\": [1, 2.50, \"x\"]}'", "'null'", null},
            {"jb", "jsonb", "'{\"b\": 1, \"a\": [true, null]}'", "'\"\"'", null},
            {"x", "xml", "'<a>x &amp; y</a>'", "''", null},
            {"ip", "inet", "'192.168.0.1/24'", "'::1'", null},
            {"cid", "cidr", "'10.0.0.0/8'", "'2001:db8::/32'", null},
            {"mac", "macaddr", "'08:00:2b:01:02:03'", "'ff:ff:ff:ff:ff:ff'", null},
            {"mac8", "macaddr8", "'08:00:2b:01:02:03:04:05'", "'00:00:00:00:00:00:00:00'", null},
            {"bt", "bit(4)", "B'1010'", "B'0000'", null},
            {"vb", "varbit", "B'10101'", "B''", null},
            {"r", "int4range", "'[1,10)'", "'empty'", null},
            {"tr", "tstzrange", "'[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)'", "'(,)'", null},
            {"nr", "numrange", "'(1.5,2.5]'", "'[0,]'", null},
            {"ai", "integer[]", "'{1,2,3}'", "'{}'", null},
            {"a2", "text[]", "'{{a,b},{c,\"d e\"}}'", "'{\"\",NULL,\"NULL\"}'", null},
            {"an", "integer[]", "'{1,NULL,3}'", "'[0:1]={7,8}'", null},
            {"af", "float8[]", "'{NaN,Infinity,-Infinity,1.5}'", "'{{1},{2}}'", null},
            {"e", "mood", "'happy'", "'sad'", null},
            {"dm", "posint", "5", "1", null},
            {"comp", "pair", "'(1,\"x y\")'", "'(,)'", null},
            {"hs", "hstore", "'a=>1, b=>NULL'", "''", null},
            {"ci", "citext", "'MiXeD'", "''", null},
            {"pt", "point", "'(1.5,2)'", "'(0,0)'", null},
            {"tsv", "tsvector", "'a fat cat'", "''", null},
            {"o", "oid", "4294967295", "0", null},
    };

    @Test
    void everyTypeFamilyRoundTripsToPostgresText() throws Exception {
        try (TestEnv env = new TestEnv()) {
            env.sql("CREATE EXTENSION hstore", "CREATE EXTENSION citext",
                    "CREATE TYPE mood AS ENUM ('sad', 'happy')",
                    "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                    "CREATE TYPE pair AS (a int, b text)");
            StringBuilder ddl = new StringBuilder("CREATE TABLE public.all_types (id int PRIMARY KEY");
            for (String[] c : COLUMNS) {
                ddl.append(", ").append(c[0]).append(' ').append(c[1]);
            }
            env.sql(ddl.append(')').toString());
            env.start();
            for (int row = 0; row < 3; row++) {
                StringBuilder ins = new StringBuilder("INSERT INTO all_types VALUES (" + row);
                for (String[] c : COLUMNS) {
                    String v = c[2 + row];
                    ins.append(", ").append(v == null ? "NULL" : "(" + v + ")::" + c[1]);
                }
                env.sql(ins.append(')').toString());
            }
            String topic = env.topic("public", "all_types");
            await().atMost(Duration.ofSeconds(60)).until(() -> env.readAll(topic).size() == 3);

            Map<Integer, Map<String, String>> expected = new HashMap<>();
            StringBuilder select = new StringBuilder("SELECT id");
            for (String[] c : COLUMNS) {
                select.append(", ").append(c[0]).append("::text");
            }
            try (Connection conn = env.connect(); Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery(select.append(" FROM all_types").toString())) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (int i = 0; i < COLUMNS.length; i++) {
                        m.put(COLUMNS[i][0], rs.getString(i + 2));
                    }
                    expected.put(rs.getInt(1), m);
                }
                assertThat(md.getColumnCount()).isEqualTo(COLUMNS.length + 1);
            }
            List<ChangeRecord> changes = env.changes(topic);
            SoftAssertions soft = new SoftAssertions();
            List<String> checked = new ArrayList<>();
            for (ChangeRecord c : changes) {
                Map<String, String> got = c.afterText();
                int id = Integer.parseInt(got.get("id"));
                for (String[] col : COLUMNS) {
                    String want = expected.get(id).get(col[0]);
                    String have = got.get(col[0]);
                    if (want != null && have != null && !want.equals(have)) {
                        // the converter may give equivalent input text; PostgreSQL decides whether it is the same value
                        have = canonical(env, have, col[1]);
                    }
                    soft.assertThat(have).as("row %d column %s (%s)", id, col[0], col[1]).isEqualTo(want);
                    checked.add(col[0]);
                }
            }
            soft.assertThat(expected.get(1).get("t")).as("empty string is not NULL").isEqualTo("");
            soft.assertThat(expected.get(2).get("t")).isNull();
            soft.assertAll();
            assertThat(checked).hasSize(3 * COLUMNS.length);
        }
    }

    /** PostgreSQL's own text of the value the converter's text denotes. */
    private static String canonical(TestEnv env, String text, String type) throws Exception {
        try (Connection c = env.connect(); var ps = c.prepareStatement("SELECT (?::" + type + ")::text")) {
            ps.setString(1, text);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
