package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.stream.Stream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PgTypesTest {
    static final int NUMERIC_10_2 = numericTypmod(10, 2);

    static int numericTypmod(int precision, int scale) {
        return ((precision << 16) | (scale & 0x7FF)) + 4;
    }

    static ColumnDef col(int oid, int typmod, String typeName) {
        return new ColumnDef("c", oid, typmod, typeName, false);
    }

    /** Values exactly as PostgreSQL prints them in the replication session; each must come back identical. */
    static Stream<Arguments> canonicalText() {
        return Stream.of(
                arguments(PgTypes.BOOL, -1, "boolean", "t"),
                arguments(PgTypes.BOOL, -1, "boolean", "f"),
                arguments(PgTypes.INT2, -1, "smallint", "-32768"),
                arguments(PgTypes.INT2, -1, "smallint", "32767"),
                arguments(PgTypes.INT4, -1, "integer", "-2147483648"),
                arguments(PgTypes.INT4, -1, "integer", "0"),
                arguments(PgTypes.INT8, -1, "bigint", "-9223372036854775808"),
                arguments(PgTypes.INT8, -1, "bigint", "9223372036854775807"),
                arguments(PgTypes.OID, -1, "oid", "4294967295"),
                arguments(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)", "12345678.90"),
                arguments(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)", "-0.01"),
                arguments(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)", "0.00"),
                arguments(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)", "NaN"),
                arguments(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)", "Infinity"),
                arguments(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)", "-Infinity"),
                arguments(PgTypes.NUMERIC, numericTypmod(38, 0), "numeric(38,0)", "-99999999999999999999999999999999999999"),
                arguments(PgTypes.NUMERIC, numericTypmod(1000, 500), "numeric(1000,500)",
                        "1." + "0".repeat(498) + "01"),
                arguments(PgTypes.NUMERIC, -1, "numeric", "123.4500000000000000000001"),
                arguments(PgTypes.NUMERIC, -1, "numeric", "NaN"),
                arguments(PgTypes.NUMERIC, -1, "numeric", "-Infinity"),
                arguments(PgTypes.NUMERIC, numericTypmod(5, -2), "numeric(5,-2)", "12300"),
                arguments(PgTypes.NUMERIC, numericTypmod(3, 5), "numeric(3,5)", "0.00123"),
                arguments(PgTypes.DATE, -1, "date", "2024-01-15"),
                arguments(PgTypes.DATE, -1, "date", "1970-01-01"),
                arguments(PgTypes.DATE, -1, "date", "2000-02-29"),
                arguments(PgTypes.DATE, -1, "date", "infinity"),
                arguments(PgTypes.DATE, -1, "date", "-infinity"),
                arguments(PgTypes.DATE, -1, "date", "0044-03-15 BC"),
                arguments(PgTypes.DATE, -1, "date", "0001-12-31 BC"),
                arguments(PgTypes.DATE, -1, "date", "0001-01-01"),
                arguments(PgTypes.DATE, -1, "date", "4713-11-24 BC"),
                arguments(PgTypes.DATE, -1, "date", "5874897-12-31"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "2024-01-15 10:20:30.123456"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "2024-01-15 10:20:30"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "2024-01-15 10:20:30.5"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "1969-12-31 23:59:59.999999"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "0044-03-15 10:00:00.000001 BC"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "4713-11-24 00:00:00 BC"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "infinity"),
                arguments(PgTypes.TIMESTAMP, -1, "timestamp without time zone", "-infinity"),
                arguments(PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone", "2024-01-15 10:20:30.123456+00"),
                arguments(PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone", "0044-03-15 10:00:00+00 BC"),
                arguments(PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone", "infinity"),
                arguments(PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone", "-infinity"),
                arguments(PgTypes.TIME, -1, "time without time zone", "00:00:00"),
                arguments(PgTypes.TIME, -1, "time without time zone", "23:59:59.999999"),
                arguments(PgTypes.TIME, -1, "time without time zone", "24:00:00"),
                arguments(PgTypes.TIME, -1, "time without time zone", "12:34:56.5"),
                arguments(PgTypes.UUID, -1, "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                arguments(PgTypes.BYTEA, -1, "bytea", "\\x"),
                arguments(PgTypes.BYTEA, -1, "bytea", "\\x00ff10"),
                arguments(PgTypes.TEXT, -1, "text", ""),
                arguments(PgTypes.TEXT, -1, "text", "NULL"),
                arguments(PgTypes.TEXT, -1, "text", "\\N"),
                arguments(PgTypes.TEXT, -1, "text", "tab\there\nnewline \\ backslash ünïcödé 😀"),
                arguments(PgTypes.VARCHAR, 14, "character varying(10)", "abc"),
                arguments(PgTypes.BPCHAR, 9, "character(5)", "ab   "),
                arguments(PgTypes.NAME, -1, "name", "pg_catalog"),
                // not typed: the PostgreSQL text form, unchanged
                arguments(1007, -1, "integer[]", "{1,2,NULL}"),
                arguments(1007, -1, "integer[]", "{{1,2},{3,NULL}}"),
                arguments(1007, -1, "integer[]", "[0:1]={7,8}"),
                arguments(1009, -1, "text[]", "{\"a b\",\"\\\"q\\\"\",NULL,\"NULL\",\"\"}"),
                arguments(3904, -1, "int4range", "[1,10)"),
                arguments(3904, -1, "int4range", "empty"),
                arguments(3910, -1, "tstzrange", "[\"2024-01-01 00:00:00+00\",infinity)"),
                arguments(16500, -1, "public.mood", "happy"),
                arguments(16510, -1, "public.positive_int", "42"),
                arguments(16520, -1, "public.pair", "(1,\"a b\",)"),
                arguments(16530, -1, "public.hstore", "\"a\"=>\"1\", \"b\"=>NULL"),
                arguments(16540, -1, "public.citext", "MiXeD"),
                arguments(790, -1, "money", "$1,234.56"),
                arguments(1186, -1, "interval", "1 year 2 mons 3 days 04:05:06.789"),
                arguments(1186, -1, "interval", "-00:00:01"),
                arguments(1266, -1, "time with time zone", "10:20:30.123456+05:30"),
                arguments(1560, 3, "bit(3)", "101"),
                arguments(1562, -1, "bit varying", ""),
                arguments(869, -1, "inet", "192.168.0.1/24"),
                arguments(869, -1, "inet", "::1"),
                arguments(650, -1, "cidr", "10.0.0.0/8"),
                arguments(829, -1, "macaddr", "08:00:2b:01:02:03"),
                arguments(114, -1, "json", "{\"a\": [1, 2.50], \"b\" : null}"),
                arguments(3802, -1, "jsonb", "{\"a\": [1, 2.50]}"),
                arguments(142, -1, "xml", "<a>b &amp; c</a>"),
                arguments(3614, -1, "tsvector", "'a':1 'b':2"),
                arguments(1700, numericTypmod(10, 2), "public.price_domain", "1.50"));
    }

    @ParameterizedTest(name = "{2}: {3}")
    @MethodSource("canonicalText")
    void textToAvroToTextIsIdentical(int oid, int typmod, String typeName, String text) {
        ColumnDef c = col(oid, typmod, typeName);
        Object avro = PgTypes.converter(c).toAvro(text);
        assertThat(PgTypes.converter(c).toPgText(avro)).isEqualTo(text);
        // the converter chosen from the schema JSON alone (restorer, consumers) agrees
        Schema parsed = new Schema.Parser().parse(PgTypes.fieldSchema(c).toString());
        assertThat(PgTypes.converter(parsed).toPgText(avro)).isEqualTo(text);
        assertThat(org.apache.avro.generic.GenericData.get().validate(parsed, avro)).as("value fits its schema").isTrue();
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("canonicalText")
    void sqlNullStaysNullAndDiffersFromEmpty(int oid, int typmod, String typeName, String text) {
        ValueConverter conv = PgTypes.converter(col(oid, typmod, typeName));
        assertThat(conv.toAvro(null)).isNull();
        assertThat(conv.toPgText(null)).isNull();
    }

    @Test
    void emptyStringIsNotNull() {
        ValueConverter text = PgTypes.converter(col(PgTypes.TEXT, -1, "text"));
        assertThat(text.toAvro("")).isEqualTo("");
        assertThat(text.toPgText("")).isEqualTo("");
        ValueConverter bytea = PgTypes.converter(col(PgTypes.BYTEA, -1, "bytea"));
        assertThat(bytea.toAvro("\\x")).isEqualTo(ByteBuffer.wrap(new byte[0]));
    }

    @Test
    void floatsKeepNanInfinitiesNegativeZeroAndEveryBit() {
        ValueConverter f4 = PgTypes.converter(col(PgTypes.FLOAT4, -1, "real"));
        ValueConverter f8 = PgTypes.converter(col(PgTypes.FLOAT8, -1, "double precision"));
        for (String s : new String[] {"NaN", "Infinity", "-Infinity", "-0", "0", "1.1", "3.4028235e+38", "1e-45",
                "1.17549435e-38", "-123.456"}) {
            Float v = (Float) f4.toAvro(s);
            assertThat(Float.floatToRawIntBits((Float) f4.toAvro(f4.toPgText(v)))).as(s)
                    .isEqualTo(Float.floatToRawIntBits(v));
        }
        for (String s : new String[] {"NaN", "Infinity", "-Infinity", "-0", "0.1", "1e+308", "5e-324",
                "3.141592653589793", "2.2250738585072014e-308", "-1.7976931348623157e+308"}) {
            Double v = (Double) f8.toAvro(s);
            assertThat(Double.doubleToRawLongBits((Double) f8.toAvro(f8.toPgText(v)))).as(s)
                    .isEqualTo(Double.doubleToRawLongBits(v));
        }
        assertThat((Float) f4.toAvro("NaN")).isNaN();
        assertThat((Double) f8.toAvro("-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(f8.toPgText(Double.NaN)).isEqualTo("NaN");
        assertThat(f8.toPgText(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(f4.toPgText(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(Double.doubleToRawLongBits((Double) f8.toAvro("-0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void avroValuesHaveTheDocumentedMeaning() {
        assertThat(PgTypes.converter(col(PgTypes.DATE, -1, "date")).toAvro("1970-01-02")).isEqualTo(1);
        assertThat(PgTypes.converter(col(PgTypes.DATE, -1, "date")).toAvro("infinity")).isEqualTo(Integer.MAX_VALUE);
        assertThat(PgTypes.converter(col(PgTypes.DATE, -1, "date")).toAvro("-infinity")).isEqualTo(Integer.MIN_VALUE);
        assertThat(PgTypes.converter(col(PgTypes.DATE, -1, "date")).toAvro("0001-12-31 BC"))
                .isEqualTo((int) LocalDate.of(0, 12, 31).toEpochDay());
        ValueConverter ts = PgTypes.converter(col(PgTypes.TIMESTAMP, -1, "timestamp"));
        assertThat(ts.toAvro("1970-01-01 00:00:01.000002")).isEqualTo(1_000_002L);
        assertThat(ts.toAvro("1969-12-31 23:59:59.999999")).isEqualTo(-1L);
        assertThat(ts.toAvro("infinity")).isEqualTo(Long.MAX_VALUE);
        assertThat(ts.toAvro("-infinity")).isEqualTo(Long.MIN_VALUE);
        ValueConverter tz = PgTypes.converter(col(PgTypes.TIMESTAMPTZ, -1, "timestamptz"));
        assertThat(tz.toAvro("2024-01-15 10:20:30.5+00")).isEqualTo(1705314030_500000L);
        // another zone's text means the same instant, printed back in UTC
        assertThat(tz.toAvro("2024-01-15 15:50:30.5+05:30")).isEqualTo(1705314030_500000L);
        assertThat(tz.toAvro("2024-01-15 05:20:30.5-05")).isEqualTo(1705314030_500000L);
        assertThat(tz.toPgText(1705314030_500000L)).isEqualTo("2024-01-15 10:20:30.5+00");
        assertThat(PgTypes.converter(col(PgTypes.TIME, -1, "time")).toAvro("00:00:01.5")).isEqualTo(1_500_000L);
        Object dec = PgTypes.converter(col(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)")).toAvro("-1.50");
        assertThat(dec).isInstanceOf(ByteBuffer.class);
        assertThat(new BigDecimal(new BigInteger(((ByteBuffer) dec).array()), 2)).isEqualByComparingTo("-1.50");
        assertThat(PgTypes.converter(col(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)")).toAvro("NaN")).isEqualTo("NaN");
        assertThat(PgTypes.converter(col(PgTypes.BYTEA, -1, "bytea")).toAvro("\\xdeadbeef"))
                .isEqualTo(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}));
        assertThat(PgTypes.converter(col(PgTypes.BOOL, -1, "boolean")).toAvro("t")).isEqualTo(Boolean.TRUE);
        assertThat(PgTypes.converter(col(PgTypes.OID, -1, "oid")).toAvro("4294967295")).isEqualTo(4294967295L);
    }

    @Test
    void byteaEscapeFormatIsReadToo() {
        ValueConverter b = PgTypes.converter(col(PgTypes.BYTEA, -1, "bytea"));
        Object v = b.toAvro("a\\000\\\\b\\377");
        assertThat(v).isEqualTo(ByteBuffer.wrap(new byte[] {'a', 0, '\\', 'b', (byte) 0xff}));
        assertThat(b.toPgText(v)).isEqualTo("\\x61005c62ff");
    }

    @Test
    void schemasFollowTheMapping() {
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.BOOL, -1, "boolean"))).getType()).isEqualTo(Schema.Type.BOOLEAN);
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.INT2, -1, "smallint"))).getType()).isEqualTo(Schema.Type.INT);
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.INT8, -1, "bigint"))).getType()).isEqualTo(Schema.Type.LONG);
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.FLOAT4, -1, "real"))).getType()).isEqualTo(Schema.Type.FLOAT);
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.FLOAT8, -1, "double precision"))).getType()).isEqualTo(Schema.Type.DOUBLE);
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.DATE, -1, "date"))).getLogicalType()).isEqualTo(LogicalTypes.date());
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.TIMESTAMP, -1, "timestamp"))).getLogicalType().getName())
                .isEqualTo("local-timestamp-micros");
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.TIMESTAMPTZ, -1, "timestamptz"))).getLogicalType().getName())
                .isEqualTo("timestamp-micros");
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.TIME, -1, "time"))).getLogicalType().getName()).isEqualTo("time-micros");
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.UUID, -1, "uuid"))).getLogicalType().getName()).isEqualTo("uuid");
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.BYTEA, -1, "bytea"))).getType()).isEqualTo(Schema.Type.BYTES);
        Schema num = PgTypes.fieldSchema(col(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)"));
        assertThat(num.getTypes()).extracting(Schema::getType)
                .containsExactly(Schema.Type.NULL, Schema.Type.BYTES, Schema.Type.STRING);
        assertThat(num.getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.decimal(10, 2));
        assertThat(nonNull(PgTypes.fieldSchema(col(PgTypes.NUMERIC, -1, "numeric"))).getType()).isEqualTo(Schema.Type.STRING);
        assertThat(nonNull(PgTypes.fieldSchema(col(1007, -1, "integer[]"))).getType()).isEqualTo(Schema.Type.STRING);
        assertThat(PgTypes.fieldSchema(col(PgTypes.INT4, -1, "integer")).getTypes().get(0).getType()).isEqualTo(Schema.Type.NULL);
    }

    @Test
    void badTextNamesTheValue() {
        assertThatThrownBy(() -> PgTypes.converter(col(PgTypes.INT4, -1, "integer")).toAvro("12x"))
                .isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> PgTypes.converter(col(PgTypes.DATE, -1, "date")).toAvro("2024-13-01"))
                .hasMessageContaining("2024-13-01");
        assertThatThrownBy(() -> PgTypes.converter(col(PgTypes.NUMERIC, NUMERIC_10_2, "numeric(10,2)")).toAvro("1.234"))
                .hasMessageContaining("1.234");
    }

    @Test
    void timestampsBeyondTheLongRangeFailLoudlyInsteadOfWrapping() {
        // PostgreSQL allows timestamps up to 294276 AD; microseconds since 1970 end at 294247 AD
        assertThatThrownBy(() -> PgTypes.converter(col(PgTypes.TIMESTAMP, -1, "timestamp")).toAvro("294276-12-31 23:59:59.999999"))
                .hasMessageContaining("294276-12-31");
        assertThat(PgTypes.converter(col(PgTypes.TIMESTAMP, -1, "timestamp")).toPgText(
                PgTypes.converter(col(PgTypes.TIMESTAMP, -1, "timestamp")).toAvro("294246-12-31 23:59:59.999999")))
                .isEqualTo("294246-12-31 23:59:59.999999");
    }

    static Schema nonNull(Schema union) {
        return union.getTypes().get(1);
    }

    @Test
    void textIsKeptByteExactForNonAscii() {
        String s = new String(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, StandardCharsets.UTF_8);
        assertThat(PgTypes.converter(col(PgTypes.TEXT, -1, "text")).toAvro(s)).isEqualTo(s);
    }
}
