package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ChangeRecordTest {
    final ChangeEnvelopes env = new ChangeEnvelopes(Fixtures.orders());
    final MapSchemaResolver resolver = new MapSchemaResolver(env.schemas().value(), env.schemas().key());
    final ChangeRecordDecoder decoder = new ChangeRecordDecoder(resolver);
    final ChangeSource source = new ChangeSource(0x16B374D848L, 0x16B374D900L, 771, 1705314030_500000L, 3, Fixtures.ORDERS);

    @Test
    void updateWithUnchangedToastDecodesToExactColumnNames() {
        GenericRecord before = env.row(Arrays.asList("1", "2", "NaN", "old", null, null, null));
        GenericRecord after = env.row(Arrays.asList("1", "2", "-12.30", null, "infinity", "{\"a b\",NULL}", "\\xff00"));
        byte[] bytes = SingleObjectCodec.encode(env.schemas().value(),
                env.value(Op.UPDATE, before, after, List.of("note"), source));

        ChangeRecord r = decoder.decode(bytes);
        assertThat(r.op()).isEqualTo(Op.UPDATE);
        assertThat(r.table()).isEqualTo(Fixtures.ORDERS);
        assertThat(r.qualifiedTable()).isEqualTo("shop.order items");
        assertThat(r.lsn()).isEqualTo(0x16B374D848L);
        assertThat(r.commitLsn()).isEqualTo(0x16B374D900L);
        assertThat(r.xid()).isEqualTo(771);
        assertThat(r.seq()).isEqualTo(3);
        assertThat(r.commitTime()).isEqualTo(Instant.parse("2024-01-15T10:20:30.500Z"));
        assertThat(r.unchanged()).containsExactly("note");
        assertThat(r.columns()).containsExactly("id", "Line No", "price", "note", "at", "tags", "blob");
        assertThat(r.after().keySet()).containsExactly("id", "Line No", "price", "note", "at", "tags", "blob");
        assertThat(r.after().get("id")).isEqualTo(1L);
        assertThat(r.after().get("Line No")).isEqualTo(2);
        assertThat(r.after().get("price")).isEqualTo(new BigDecimal("-12.30"));
        assertThat(r.after().get("note")).isNull();
        assertThat(r.after().get("at")).isEqualTo(Long.MAX_VALUE);
        assertThat(r.after().get("tags")).isEqualTo("{\"a b\",NULL}");
        assertThat((byte[]) r.after().get("blob")).containsExactly(0xff, 0x00);
        assertThat(r.before().get("price")).isEqualTo("NaN");
        assertThat(r.before().get("note")).isEqualTo("old");
        Map<String, String> text = new LinkedHashMap<>();
        text.put("id", "1");
        text.put("Line No", "2");
        text.put("price", "-12.30");
        text.put("note", null);
        text.put("at", "infinity");
        text.put("tags", "{\"a b\",NULL}");
        text.put("blob", "\\xff00");
        assertThat(r.afterText()).containsExactlyEntriesOf(text);
        assertThat(r.writerSchema()).isEqualTo(env.schemas().value());
    }

    @Test
    void keyDecodesToItsColumns() {
        GenericRecord after = env.row(Arrays.asList("5", "6", null, null, null, null, null));
        byte[] key = SingleObjectCodec.encode(env.schemas().key(), env.key(after));
        assertThat(decoder.decodeKey(key)).containsExactly(Map.entry("id", 5L), Map.entry("Line No", 6));
        assertThat(decoder.decodeKey(null)).isNull();
    }

    @Test
    void deleteAndTruncate() {
        GenericRecord oldKey = env.row(Arrays.asList("5", "6", null, null, null, null, null));
        ChangeRecord del = decoder.decode(SingleObjectCodec.encode(env.schemas().value(),
                env.value(Op.DELETE, oldKey, null, List.of(), source)));
        assertThat(del.op()).isEqualTo(Op.DELETE);
        assertThat(del.after()).isNull();
        assertThat(del.afterText()).isNull();
        assertThat(del.before()).containsEntry("id", 5L);
        ChangeRecord tr = decoder.decode(SingleObjectCodec.encode(env.schemas().value(),
                env.value(Op.TRUNCATE, null, null, null, source)));
        assertThat(tr.op()).isEqualTo(Op.TRUNCATE);
        assertThat(tr.before()).isNull();
        assertThat(tr.after()).isNull();
        assertThat(tr.table()).isEqualTo(Fixtures.ORDERS);
    }

    @Test
    void tableWithDotsInNamesIsExact() {
        TableId dotted = new TableId("a.b", "c.d");
        ChangeEnvelopes e = new ChangeEnvelopes(new RelationDef(1, dotted, 'd',
                List.of(new ColumnDef("id", PgTypes.INT4, -1, "integer", true))));
        byte[] bytes = SingleObjectCodec.encode(e.schemas().value(), e.value(Op.INSERT, null,
                e.row(List.of("1")), List.of(), new ChangeSource(1, 1, 1, 0, 0, dotted)));
        assertThat(new ChangeRecordDecoder(new MapSchemaResolver(e.schemas().value())).decode(bytes).table())
                .isEqualTo(dotted);
    }

    @Test
    void badValueNamesTableAndColumn() {
        assertThatThrownBy(() -> env.row(Arrays.asList("x", "2", null, null, null, null, null)))
                .hasMessageContaining("shop.order items").hasMessageContaining("column id");
        assertThatThrownBy(() -> env.row(List.of("1"))).hasMessageContaining("1 values for 7 columns");
    }

    @Test
    void serdeRoundTrip() {
        GenericRecord after = env.row(Arrays.asList("1", "2", "3.00", "x", null, null, null));
        byte[] bytes = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, after, List.of(), source));
        try (ChangeRecordSerde serde = new ChangeRecordSerde(resolver)) {
            ChangeRecord r = serde.deserializer().deserialize("t", bytes);
            assertThat(serde.serializer().serialize("t", r)).isEqualTo(bytes);
            assertThat(serde.deserializer().deserialize("t", null)).isNull();
            assertThat(serde.serializer().serialize("t", null)).isNull();
            assertThatThrownBy(() -> serde.deserializer().deserialize("pgkb.shop.x", new byte[] {0}))
                    .hasMessageContaining("pgkb.shop.x");
        }
    }

    @Test
    void theSerdeSkipsDdlRecordsAsNull() {
        DdlEvent ddl = new DdlEvent(DdlEvent.FORMAT, 1, "ALTER TABLE", false, false, List.of(new DdlEvent.Column(1, "id", "bigint", null)),
                null, null, 1, 2, 3, 4, 0, "shop.order items");
        MapSchemaResolver withDdl = new MapSchemaResolver(env.schemas().value(), DdlEvent.SCHEMA);
        try (ChangeRecordSerde serde = new ChangeRecordSerde(withDdl)) {
            assertThat(serde.deserializer().deserialize("t", ddl.encode())).isNull();
            GenericRecord after = env.row(Arrays.asList("1", "2", "3.00", "x", null, null, null));
            byte[] change = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, after, List.of(), source));
            assertThat(serde.deserializer().deserialize("t", change).op()).isEqualTo(Op.INSERT);
        }
    }

    @Test
    void configuredSerdesShareOneResolverPerClusterAndPrefix() {
        Map<String, Object> cfg = Map.of("pgkb.bootstrap.servers", "localhost:1", "pgkb.topic.prefix", "p1");
        ChangeRecordSerde a = new ChangeRecordSerde();
        ChangeRecordSerde b = new ChangeRecordSerde();
        ChangeRecordSerde other = new ChangeRecordSerde();
        a.configure(cfg, false);
        b.configure(cfg, false);
        other.configure(Map.of("pgkb.bootstrap.servers", "localhost:1", "pgkb.topic.prefix", "p2"), false);
        assertThat(a.resolver()).isSameAs(b.resolver()).isNotSameAs(other.resolver());
        SchemaResolver first = a.resolver();
        a.close();
        b.close();
        other.close();
        ChangeRecordSerde c = new ChangeRecordSerde();
        c.configure(cfg, false);
        assertThat(c.resolver()).as("closed with its last user").isNotSameAs(first);
        c.close();
    }

    @Test
    void serdeWithoutBootstrapServersIsAConfigError() {
        try (ChangeRecordSerde serde = new ChangeRecordSerde()) {
            assertThatThrownBy(() -> serde.configure(Map.of(), false))
                    .isInstanceOf(PgkbException.ConfigException.class).hasMessageContaining("pgkb.bootstrap.servers");
        }
    }

    @Test
    void jsonIsReadableAndExact() throws Exception {
        ChangeEnvelopes e = new ChangeEnvelopes(new RelationDef(1, new TableId("public", "all"), 'd', List.of(
                new ColumnDef("id", PgTypes.INT4, -1, "integer", true),
                new ColumnDef("amount", PgTypes.NUMERIC, PgTypesTest.numericTypmod(20, 4), "numeric(20,4)", false),
                new ColumnDef("nan", PgTypes.NUMERIC, PgTypesTest.numericTypmod(20, 4), "numeric(20,4)", false),
                new ColumnDef("f", PgTypes.FLOAT8, -1, "double precision", false),
                new ColumnDef("finf", PgTypes.FLOAT8, -1, "double precision", false),
                new ColumnDef("ts", PgTypes.TIMESTAMPTZ, -1, "timestamptz", false),
                new ColumnDef("lts", PgTypes.TIMESTAMP, -1, "timestamp", false),
                new ColumnDef("d", PgTypes.DATE, -1, "date", false),
                new ColumnDef("b", PgTypes.BYTEA, -1, "bytea", false),
                new ColumnDef("j", 3802, -1, "jsonb", false),
                new ColumnDef("empty", PgTypes.TEXT, -1, "text", false),
                new ColumnDef("nul", PgTypes.TEXT, -1, "text", false))));
        GenericRecord after = e.row(Arrays.asList("7", "12345678901234.5000", "NaN", "0.1", "-Infinity",
                "2024-01-15 10:20:30.000001+00", "2024-01-15 10:20:30", "0044-03-15 BC", "\\xdead", "{\"k\": 1}", "", null));
        GenericRecord value = e.value(Op.INSERT, null, after, List.of(), source);
        ChangeRecord r = new ChangeRecord(value);
        String line = ChangeRecordJson.toJson(e.key(after), r);
        assertThat(line).doesNotContain("\n");
        JsonNode n = new ObjectMapper().readTree(line);
        assertThat(n.get("op").asText()).isEqualTo("INSERT");
        assertThat(n.get("table").asText()).isEqualTo("shop.order items");
        assertThat(n.get("lsn").asText()).isEqualTo("16/B374D848");
        assertThat(n.get("commit_time").asText()).isEqualTo("2024-01-15T10:20:30.5Z");
        assertThat(n.get("key").get("id").asInt()).isEqualTo(7);
        JsonNode a = n.get("after");
        assertThat(line).contains("\"amount\":12345678901234.5000");
        assertThat(a.get("nan").asText()).isEqualTo("NaN");
        assertThat(a.get("f").asDouble()).isEqualTo(0.1);
        assertThat(a.get("finf").asText()).isEqualTo("-Infinity");
        assertThat(a.get("ts").asText()).isEqualTo("2024-01-15T10:20:30.000001Z");
        assertThat(a.get("lts").asText()).isEqualTo("2024-01-15T10:20:30");
        assertThat(a.get("d").asText()).isEqualTo("0044-03-15 BC");
        assertThat(a.get("b").asText()).isEqualTo("\\xdead");
        assertThat(a.get("j").asText()).isEqualTo("{\"k\": 1}");
        assertThat(a.get("empty").asText()).isEmpty();
        assertThat(a.get("nul").isNull()).isTrue();
        assertThat(n.get("before").isNull()).isTrue();
    }
}
