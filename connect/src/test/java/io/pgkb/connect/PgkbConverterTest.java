package io.pgkb.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.RowSchemas;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

/** Records encoded by pgkb's own encoder, read by the converter as a Connect worker would. */
class PgkbConverterTest {
    private static final TableId TABLE = new TableId("shop", "order items");
    private static final String TOPIC = TABLE.topic("pgkb");
    private static final long COMMIT_MICROS = Instant.parse("2026-12-07T10:11:12.345678Z").toEpochMilli() * 1000 + 678;

    private final ChangeEnvelopes env = new ChangeEnvelopes(new RelationDef(16384, TABLE, 'd', List.of(
            new ColumnDef("id", PgTypes.INT8, -1, "bigint", true),
            new ColumnDef("Line No", PgTypes.INT4, -1, "integer", true),
            new ColumnDef("amount", PgTypes.NUMERIC, numericTypmod(10, 2), "numeric(10,2)", false),
            new ColumnDef("free", PgTypes.NUMERIC, -1, "numeric", false),
            new ColumnDef("at", PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone", false),
            new ColumnDef("local", PgTypes.TIMESTAMP, -1, "timestamp without time zone", false),
            new ColumnDef("day", PgTypes.DATE, -1, "date", false),
            new ColumnDef("clock", PgTypes.TIME, -1, "time without time zone", false),
            new ColumnDef("note", PgTypes.TEXT, -1, "text", false),
            new ColumnDef("blob", PgTypes.BYTEA, -1, "bytea", false),
            new ColumnDef("ok", PgTypes.BOOL, -1, "boolean", false),
            new ColumnDef("ratio", PgTypes.FLOAT8, -1, "double precision", false),
            new ColumnDef("small", PgTypes.FLOAT4, -1, "real", false),
            new ColumnDef("doc", 3802, -1, "jsonb", false),
            new ColumnDef("tags", 1009, -1, "text[]", false))));
    private final MapSchemaResolver resolver = new MapSchemaResolver(env.schemas().value(), env.schemas().key());
    private final ChangeSource source = new ChangeSource(0x16B3748L, 0x16B3800L, 771, COMMIT_MICROS, 3, TABLE);

    static int numericTypmod(int precision, int scale) {
        return ((precision << 16) | scale) + 4;
    }

    private GenericRecord row(String... texts) {
        return env.row(Arrays.asList(texts));
    }

    private GenericRecord fullRow(String note) {
        return row("7", "2", "12.34", "0.00000000000000000001", "2025-01-02 03:04:05.123456+00", "1999-12-31 23:59:59.999999",
                "2024-02-29", "13:14:15.5", note, "\\x00ff", "t", "0.1", "-0", "{\"a\": [1, null]}", "{x,NULL,\"\"}");
    }

    private static PgkbConverter converter(MapSchemaResolver resolver, boolean isKey) {
        PgkbConverter c = new PgkbConverter(resolver);
        c.configure(Map.of(), isKey);
        return c;
    }

    @Test
    void anInsertBecomesATypedStruct() {
        byte[] value = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, fullRow(""), List.of(), source));
        SchemaAndValue sv = converter(resolver, false).toConnectData(TOPIC, value);

        Struct v = (Struct) sv.value();
        v.validate();
        assertThat(sv.schema().name()).isEqualTo(RowSchemas.namespace(TABLE) + ".Envelope");
        assertThat(v.getString("op")).isEqualTo("INSERT");
        assertThat(v.getStruct("before")).isNull();
        assertThat(v.getArray("unchanged")).isEmpty();
        Struct s = v.getStruct("source");
        assertThat(s.getInt64("lsn")).isEqualTo(0x16B3748L);
        assertThat(s.getInt64("commit_lsn")).isEqualTo(0x16B3800L);
        assertThat(s.getInt64("xid")).isEqualTo(771L);
        assertThat(s.getInt64("seq")).isEqualTo(3L);
        assertThat(s.getString("table")).isEqualTo("shop.order items");
        assertThat(s.schema().field("commit_time").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
        assertThat(((java.util.Date) s.get("commit_time")).toInstant()).isEqualTo(Instant.parse("2026-12-07T10:11:12.345Z"));

        Struct after = v.getStruct("after");
        Schema rs = after.schema();
        assertThat(rs.fields().stream().map(f -> f.name())).containsExactly("id", "Line No", "amount", "free", "at",
                "local", "day", "clock", "note", "blob", "ok", "ratio", "small", "doc", "tags");
        assertThat(after.getInt64("id")).isEqualTo(7L);
        assertThat(after.getInt32("Line No")).isEqualTo(2);

        Schema amount = rs.field("amount").schema();
        assertThat(amount.name()).isEqualTo(Decimal.LOGICAL_NAME);
        assertThat(amount.parameters()).containsEntry(Decimal.SCALE_FIELD, "2").containsEntry("connect.decimal.precision", "10")
                .containsEntry("pgkb.type", "numeric(10,2)");
        assertThat(after.get("amount")).isEqualTo(new BigDecimal("12.34"));
        assertThat(rs.field("free").schema().type()).isEqualTo(Schema.Type.STRING);
        assertThat(after.get("free")).as("numeric without typmod: its PostgreSQL text").isEqualTo("0.00000000000000000001");

        assertThat(rs.field("at").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
        assertThat(((java.util.Date) after.get("at")).toInstant()).isEqualTo(Instant.parse("2025-01-02T03:04:05.123Z"));
        assertThat(rs.field("local").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
        assertThat(((java.util.Date) after.get("local")).toInstant()).as("wall clock read as UTC, µs cut")
                .isEqualTo(Instant.parse("1999-12-31T23:59:59.999Z"));
        assertThat(rs.field("day").schema().name()).isEqualTo(Date.LOGICAL_NAME);
        assertThat(((java.util.Date) after.get("day")).toInstant())
                .isEqualTo(LocalDate.parse("2024-02-29").atStartOfDay().toInstant(ZoneOffset.UTC));
        assertThat(rs.field("clock").schema().name()).isEqualTo(Time.LOGICAL_NAME);
        assertThat(((java.util.Date) after.get("clock")).getTime()).isEqualTo((13 * 3600 + 14 * 60 + 15) * 1000L + 500);

        assertThat(after.get("note")).as("empty string, not NULL").isEqualTo("");
        assertThat(after.getBytes("blob")).containsExactly(0x00, 0xff);
        assertThat(after.getBoolean("ok")).isTrue();
        assertThat(after.getFloat64("ratio")).isEqualTo(0.1);
        assertThat(Float.floatToRawIntBits(after.getFloat32("small"))).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(after.getString("doc")).isEqualTo("{\"a\": [1, null]}");
        assertThat(rs.field("doc").schema().parameters()).containsEntry("pgkb.type", "jsonb");
        assertThat(after.getString("tags")).isEqualTo("{x,NULL,\"\"}");
        assertThat(rs.fields()).allSatisfy(f -> assertThat(f.schema().isOptional()).isTrue());
    }

    @Test
    void nullIsNullAndEveryRecordOfASchemaVersionSharesOneConnectSchema() {
        PgkbConverter c = converter(resolver, false);
        byte[] a = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, fullRow(null), List.of(), source));
        byte[] b = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, fullRow("x"), List.of(), source));
        SchemaAndValue first = c.toConnectData(TOPIC, a);
        assertThat(((Struct) first.value()).getStruct("after").get("note")).isNull();
        assertThat(c.toConnectData(TOPIC, b).schema()).isSameAs(first.schema());
        assertThat(c.toConnectData(TOPIC, null)).isEqualTo(SchemaAndValue.NULL);
    }

    @Test
    void updateWithUnchangedToastAndDeleteKeepTheirRows() {
        PgkbConverter c = converter(resolver, false);
        GenericRecord before = row("7", "2", null, null, null, null, null, null, null, null, null, null, null, null, null);
        GenericRecord after = row("7", "2", "99.00", null, null, null, null, null, null, null, null, null, null, null, null);
        Struct update = (Struct) c.toConnectData(TOPIC, SingleObjectCodec.encode(env.schemas().value(),
                env.value(Op.UPDATE, null, after, List.of("doc"), source))).value();
        assertThat(update.getString("op")).isEqualTo("UPDATE");
        assertThat(update.getArray("unchanged")).containsExactly("doc");
        assertThat(update.getStruct("after").get("amount")).isEqualTo(new BigDecimal("99.00"));

        Struct delete = (Struct) c.toConnectData(TOPIC, SingleObjectCodec.encode(env.schemas().value(),
                env.value(Op.DELETE, before, null, List.of(), source))).value();
        assertThat(delete.getString("op")).isEqualTo("DELETE");
        assertThat(delete.getStruct("after")).isNull();
        assertThat(delete.getStruct("before").getInt64("id")).isEqualTo(7L);
    }

    @Test
    void aTruncateHasNoRowsAndANullKey() {
        byte[] value = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.TRUNCATE, null, null, List.of(), source));
        Struct v = (Struct) converter(resolver, false).toConnectData(TOPIC, value).value();
        assertThat(v.getString("op")).isEqualTo("TRUNCATE");
        assertThat(v.getStruct("before")).isNull();
        assertThat(v.getStruct("after")).isNull();
        assertThat(converter(resolver, true).toConnectData(TOPIC, null)).isEqualTo(SchemaAndValue.NULL);
    }

    @Test
    void keysBecomeStructsOfTheKeyColumns() {
        byte[] key = SingleObjectCodec.encode(env.schemas().key(), env.key(fullRow("")));
        SchemaAndValue sv = converter(resolver, true).toConnectData(TOPIC, key);
        Struct k = (Struct) sv.value();
        k.validate();
        assertThat(sv.schema().fields().stream().map(f -> f.name())).containsExactly("id", "Line No");
        assertThat(k.getInt64("id")).isEqualTo(7L);
        assertThat(k.getInt32("Line No")).isEqualTo(2);
    }

    @Test
    void aDdlRecordBecomesAStructOfItsOwnSchema() {
        DdlEvent ddl = new DdlEvent(DdlEvent.FORMAT, 16384, "ALTER TABLE", false, false,
                List.of(new DdlEvent.Column(1, "id", "bigint", null), new DdlEvent.Column(9, "flag", "boolean", "true")),
                "{}", "ALTER TABLE shop.\"order items\" ADD flag boolean DEFAULT true", 0x16B3748L, 0x16B3800L, 771,
                COMMIT_MICROS, 4, "shop.order items");
        PgkbConverter c = converter(new MapSchemaResolver(DdlEvent.SCHEMA), false);
        SchemaAndValue sv = c.toConnectData(TOPIC, ddl.encode());
        Struct v = (Struct) sv.value();
        v.validate();
        assertThat(sv.schema().name()).isEqualTo(DdlEvent.SCHEMA_NAME);
        assertThat(v.getString("command_tag")).isEqualTo("ALTER TABLE");
        assertThat(v.getBoolean("rewrite")).isFalse();
        List<Struct> columns = v.getArray("columns");
        assertThat(columns).extracting(col -> col.getString("name")).containsExactly("id", "flag");
        assertThat(columns.get(1).getString("missing")).isEqualTo("true");
        assertThat(columns.get(0).getString("missing")).isNull();
        assertThat(v.getStruct("source").getInt64("seq")).isEqualTo(4L);
    }

    @Test
    void aNumericNaNHasNoDecimalAndFailsNamingTableAndColumn() {
        GenericRecord nan = row("7", "2", "NaN", null, null, null, null, null, null, null, null, null, null, null, null);
        byte[] value = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, nan, List.of(), source));
        assertThatThrownBy(() -> converter(resolver, false).toConnectData(TOPIC, value))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("table shop.order items column amount").hasMessageContaining("NaN")
                .hasMessageContaining("numeric(10,2)");
    }

    @Test
    void bytesThatAreNoPgkbRecordAndUnknownSchemasFailNamingTheTopic() {
        PgkbConverter c = converter(new MapSchemaResolver(), false);
        assertThatThrownBy(() -> c.toConnectData(TOPIC, new byte[] {1, 2, 3}))
                .isInstanceOf(DataException.class).hasMessageContaining("topic " + TOPIC).hasMessageContaining("single-object");
        // a schema no test decodes (decoders are cached per fingerprint for the JVM)
        ChangeEnvelopes unknown = new ChangeEnvelopes(new RelationDef(1, new TableId("s", "never registered"), 'd',
                List.of(new ColumnDef("id", PgTypes.INT4, -1, "integer", true))));
        byte[] value = SingleObjectCodec.encode(unknown.schemas().value(), unknown.value(Op.TRUNCATE, null, null, List.of(), source));
        assertThatThrownBy(() -> c.toConnectData(TOPIC, value))
                .isInstanceOf(DataException.class).hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining(SingleObjectCodec.fingerprint(unknown.schemas().value()));
    }

    @Test
    void writingIsRefusedWithAClearError() {
        assertThatThrownBy(() -> converter(resolver, false).fromConnectData("out", Schema.STRING_SCHEMA, "x"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("only reads pgkb's table topics").hasMessageContaining("value.converter");
    }

    @Test
    void withoutBootstrapServersTheConfigurationIsRefused() {
        try (PgkbConverter c = new PgkbConverter()) {
            assertThatThrownBy(() -> c.configure(Map.of("pgkb.topic.prefix", "p"), true))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("key.converter.pgkb.bootstrap.servers");
        }
    }

    @Test
    void theTopicPrefixComesFromTheTopicNameUnlessSet() {
        try (PgkbConverter c = new PgkbConverter()) {
            c.configure(Map.of("pgkb.bootstrap.servers", "localhost:1"), false);
            assertThatThrownBy(() -> c.toConnectData("nodots", new byte[] {(byte) 0xC3, 1, 0, 0, 0, 0, 0, 0, 0, 0}))
                    .isInstanceOf(DataException.class).hasMessageContaining("value.converter.pgkb.topic.prefix");
        }
    }
}
