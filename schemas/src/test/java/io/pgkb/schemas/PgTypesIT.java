package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The type mapping against a real PostgreSQL 17: every value is read as the server's text output (the session
 * settings of the replication connection), converted to Avro, encoded and decoded as a change record, turned back
 * into input text and loaded with COPY into a second table; both tables must print identically, row by row.
 */
@RealServices
class PgTypesIT {
    final TestDatabase db;

    PgTypesIT(TestDatabase db) {
        this.db = db;
    }

    static final String DDL = """
            CREATE EXTENSION IF NOT EXISTS hstore SCHEMA public;
            CREATE EXTENSION IF NOT EXISTS citext SCHEMA public;
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy ☺');
            CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
            CREATE TYPE pair AS (a integer, b text);
            CREATE TABLE src (
              id integer PRIMARY KEY,
              c_bool boolean, c_int2 smallint, c_int4 integer, c_int8 bigint, c_oid oid,
              c_f4 real, c_f8 double precision,
              c_num numeric(12,3), c_numu numeric, c_numneg numeric(5,-2), c_num_big numeric(1000,500),
              c_date date, c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz, c_time time, c_timetz timetz,
              c_interval interval, c_uuid uuid, c_bytea bytea,
              c_text text, c_vc varchar(10), c_bpchar char(5), c_name name,
              c_json json, c_jsonb jsonb, c_xml xml,
              c_inet inet, c_cidr cidr, c_mac macaddr, c_bit bit(4), c_varbit varbit, c_money money,
              c_int_arr integer[], c_text_arr text[], c_int_arr2 integer[], c_ts_arr timestamptz[],
              c_range int4range, c_tsrange tstzrange, c_enum mood, c_domain posint, c_comp pair,
              c_hstore hstore, c_citext citext, c_tsvector tsvector, c_point point
            );
            CREATE TABLE dst (LIKE src);
            """;

    static final String[] ROWS = {
            """
            INSERT INTO src VALUES (1, true, 12, 123456, 1234567890123, 42, 1.1, 3.141592653589793,
              123456789.123, 123.4500000000000000000001, 12300, 1.5,
              '2024-01-15', '2024-01-15 10:20:30.123456', '2024-01-15 10:20:30.123', '2024-01-15 10:20:30.5+05:30',
              '10:20:30.000001', '10:20:30+02', '1 year 2 mons 3 days 04:05:06.789',
              'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\xdeadbeef00',
              'plain', 'varchar', 'ab', 'a_name',
              '{"a": [1, 2.50], "b" : null}', '{"a": [1, 2.50]}', '<a>b &amp; c</a>',
              '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', B'1010', B'101', 1234.56,
              '{1,2,3}', '{a,"b c"}', '{{1,2},{3,4}}', '{"2024-01-01 00:00:00+00"}',
              '[1,10)', '[2024-01-01,2024-02-01)', 'happy ☺', 7, ROW(1, 'x'),
              'a=>1, b=>2', 'MiXeD', 'a fat cat', '(1.5,-2)')
            """,
            """
            INSERT INTO src VALUES (2, false, -32768, -2147483648, -9223372036854775808, 4294967295,
              'NaN', 'Infinity', 'NaN', '0.000000000000000000000000000001', -99900, 'NaN',
              '0044-03-15 BC', '0044-03-15 10:00:00.000001 BC', '1999-12-31 23:59:59.999', '-infinity',
              '24:00:00', '00:00:00-14:59', '-1 year -2 mons +3 days -04:05:06.000001',
              '00000000-0000-0000-0000-000000000000', '\\x',
              E'tab\\there\\nnew\\\\line \\\\N \\r end', '', '', '',
              '[]', '{"a": {"b": [null, 1.0e10, "\\u00e9"]}}', '<x/>',
              '::ffff:1.2.3.4/128', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', B'0000', B'', -0.01,
              '{NULL,NULL}', '{"",NULL,"NULL","a\\"b","c,d","\\\\"}', '{{1,NULL},{NULL,4}}', '{infinity,NULL}',
              'empty', '(,)', 'sad', 1, ROW(NULL, ''),
              '"k"=>NULL, ""=>""', '', '', '(NaN,Infinity)')
            """,
            "INSERT INTO src (id) VALUES (3)",
            """
            INSERT INTO src (id, c_int2, c_int4, c_int8, c_f4, c_f8, c_num, c_numu, c_num_big, c_date, c_ts, c_tstz,
              c_time, c_bytea, c_text, c_money, c_int_arr)
            VALUES (4, 32767, 2147483647, 9223372036854775807, '-Infinity', '-0', '-0.001', 'Infinity',
              '-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001',
              'infinity', 'infinity', '4713-01-01 00:00:00+00 BC', '00:00:00', '\\x00ff', '\\N', '-92233720368547758.08',
              '[0:1]={7,8}')
            """,
            """
            INSERT INTO src (id, c_f4, c_f8, c_date, c_ts, c_tstz)
            VALUES (5, '1.4e-45', '5e-324', '5874897-12-31', '4713-11-24 00:00:00 BC', '294246-12-31 23:59:59.999999+00')
            """,
            """
            INSERT INTO src (id, c_f4, c_f8, c_date, c_ts, c_tstz)
            VALUES (6, '3.4028235e+38', '-1.7976931348623157e+308', '-infinity', '-infinity', 'infinity')
            """,
            """
            INSERT INTO src (id, c_f4, c_f8, c_date, c_ts, c_tstz, c_text)
            VALUES (7, '-0', '0.1', '4713-11-24 BC', '1969-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', 'ünïcödé 😀 ☺')
            """,
    };

    @Test
    void everyValueSurvivesTextToAvroToBytesToTextThroughCopy() throws Exception {
        try (Connection c = connect("roundtrip"); Statement st = c.createStatement()) {
            st.execute(DDL);
            for (String row : ROWS) {
                st.execute(row);
            }
            RelationDef rel = relation(st);
            assertThat(rel.columns()).hasSize(47);
            ChangeEnvelopes env = new ChangeEnvelopes(rel);
            ChangeRecordDecoder decoder = new ChangeRecordDecoder(new MapSchemaResolver(env.schemas().value()));

            StringBuilder copy = new StringBuilder();
            int rows = 0;
            try (ResultSet rs = st.executeQuery("SELECT * FROM src ORDER BY id")) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    List<String> text = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        text.add(rs.getString(i));
                    }
                    GenericRecord after = env.row(text);
                    byte[] bytes = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, after,
                            List.of(), new ChangeSource(1, 1, 1, 0, rows, rel.table())));
                    ChangeRecord back = decoder.decode(bytes);
                    List<String> line = new ArrayList<>();
                    for (String v : back.afterText().values()) {
                        line.add(copyEscape(v));
                    }
                    copy.append(String.join("\t", line)).append('\n');
                    rows++;
                }
            }
            assertThat(rows).isEqualTo(ROWS.length);
            ((PGConnection) c).getCopyAPI().copyIn("COPY dst FROM STDIN", new StringReader(copy.toString()));

            List<String> src = rowsAsText(st, "src");
            List<String> dst = rowsAsText(st, "dst");
            assertThat(dst).hasSize(ROWS.length).containsExactlyElementsOf(src);
            // and not merely equal text: the values compare equal where the type has equality
            try (ResultSet rs = st.executeQuery("""
                    SELECT count(*) FROM src s JOIN dst d USING (id)
                    WHERE s.c_f4 IS NOT DISTINCT FROM d.c_f4 AND s.c_f8 IS NOT DISTINCT FROM d.c_f8
                      AND s.c_num IS NOT DISTINCT FROM d.c_num AND s.c_tstz IS NOT DISTINCT FROM d.c_tstz
                      AND s.c_bytea IS NOT DISTINCT FROM d.c_bytea AND s.c_text IS NOT DISTINCT FROM d.c_text
                      AND s.c_jsonb IS NOT DISTINCT FROM d.c_jsonb AND s.c_int_arr2 IS NOT DISTINCT FROM d.c_int_arr2
                      AND (s.c_text IS NULL) = (d.c_text IS NULL)
                    """)) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(ROWS.length);
            }
        }
    }

    @Test
    void typeNamesAndSchemasComeFromTheCatalogAsTheProducerSeesThem() throws Exception {
        try (Connection c = connect("names"); Statement st = c.createStatement()) {
            st.execute(DDL);
            TableSchemas s = RowSchemas.derive(relation(st));
            assertThat(s.row().getField("c_num").getProp("pgkb.type")).isEqualTo("numeric(12,3)");
            assertThat(s.row().getField("c_enum").getProp("pgkb.type")).isEqualTo("mood");
            assertThat(s.row().getField("c_int_arr").getProp("pgkb.type")).isEqualTo("integer[]");
            assertThat(s.row().getField("c_num").schema().getTypes()).hasSize(3);
            assertThat(s.key().getFields()).hasSize(1);
            st.execute("ALTER TABLE src ALTER COLUMN c_num TYPE numeric(14,5)");
            TableSchemas altered = RowSchemas.derive(relation(st));
            assertThat(SingleObjectCodec.fingerprint(altered.value())).isNotEqualTo(SingleObjectCodec.fingerprint(s.value()));
        }
    }

    static RelationDef relation(Statement st) throws Exception {
        List<ColumnDef> cols = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("""
                SELECT a.attname, a.atttypid::int, a.atttypmod, format_type(a.atttypid, a.atttypmod),
                       a.attnum = ANY (coalesce((SELECT i.indkey::int2[] FROM pg_index i
                                                 WHERE i.indrelid = a.attrelid AND i.indisprimary), '{}'))
                FROM pg_attribute a
                WHERE a.attrelid = 'src'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""")) {
            while (rs.next()) {
                cols.add(new ColumnDef(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getString(4), rs.getBoolean(5)));
            }
        }
        return new RelationDef(1, new TableId("test", "src"), 'd', cols);
    }

    static List<String> rowsAsText(Statement st, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT t::text FROM " + table + " t ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** COPY text format: backslash, tab, newline and carriage return escaped; NULL as \N. */
    static String copyEscape(String v) {
        if (v == null) {
            return "\\N";
        }
        return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    /**
     * Text-protocol results straight from the output functions, with the replication session's settings; each
     * test works in a schema of its own.
     */
    Connection connect(String schema) throws Exception {
        db.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        Properties p = db.properties();
        p.setProperty("preferQueryMode", "simple");
        p.setProperty("options", "-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC"
                + " -c extra_float_digits=3 -c bytea_output=hex -c search_path=" + schema + ",public");
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }
}
