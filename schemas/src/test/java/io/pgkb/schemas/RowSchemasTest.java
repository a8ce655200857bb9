package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class RowSchemasTest {

    @Test
    void derivationIsDeterministic() {
        TableSchemas a = RowSchemas.derive(Fixtures.orders());
        TableSchemas b = RowSchemas.derive(Fixtures.orders());
        assertThat(a.value().toString()).isEqualTo(b.value().toString());
        assertThat(a.key().toString()).isEqualTo(b.key().toString());
        assertThat(SingleObjectCodec.fingerprint(a.value())).isEqualTo(SingleObjectCodec.fingerprint(b.value()));
        assertThat(SingleObjectCodec.fingerprint(a.key())).isEqualTo(SingleObjectCodec.fingerprint(b.key()));
        // and survives a JSON round trip (what the _schemas topic carries)
        Schema reparsed = new Schema.Parser().parse(a.value().toString());
        assertThat(SingleObjectCodec.fingerprint(reparsed)).isEqualTo(SingleObjectCodec.fingerprint(a.value()));
        assertThat(reparsed.toString()).isEqualTo(a.value().toString());
    }

    @Test
    void rowCarriesNamesTypesAndKeys() {
        TableSchemas s = RowSchemas.derive(Fixtures.orders());
        Schema row = s.row();
        assertThat(row.getNamespace()).isEqualTo("io.pgkb.tables.shop._order_20items");
        assertThat(row.getName()).matches("Row_[0-9a-f]{16}");
        assertThat(row.getProp("pgkb.table")).isEqualTo("shop.order items");
        assertThat(row.getObjectProp("pgkb.key")).isEqualTo(List.of("id", "Line No"));
        assertThat(row.getProp("pgkb.replica_identity")).isEqualTo("d");
        assertThat(row.getFields()).extracting(Schema.Field::name)
                .containsExactly("id", "_Line_20No", "price", "note", "at", "tags", "blob");
        Schema.Field line = row.getField("_Line_20No");
        assertThat(line.getProp("pgkb.column")).isEqualTo("Line No");
        assertThat(line.getProp("pgkb.type")).isEqualTo("integer");
        assertThat(line.getObjectProp("pgkb.type_oid")).isEqualTo(PgTypes.INT4);
        for (Schema.Field f : row.getFields()) {
            assertThat(f.schema().getType()).isEqualTo(Schema.Type.UNION);
            assertThat(f.schema().getTypes().get(0).getType()).isEqualTo(Schema.Type.NULL);
            assertThat(f.defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
        }
        assertThat(s.key().getFields()).extracting(Schema.Field::name).containsExactly("id", "_Line_20No");
        assertThat(s.key().getField("_Line_20No").getProp("pgkb.column")).isEqualTo("Line No");
    }

    @Test
    void envelopeIsTheTemplateWithTheRowInPlaceOfRow() throws Exception {
        TableSchemas s = RowSchemas.derive(Fixtures.orders());
        Schema.Parser p = new Schema.Parser();
        p.parse(resource("Op.avsc"));
        p.parse(resource("Source.avsc"));
        Schema template = p.parse(resource("Envelope.avsc"));
        // substituting the row into the template text gives the same canonical form
        String expected = SchemaNormalization.toParsingForm(template)
                .replace("{\"name\":\"io.pgkb.template.Row\",\"type\":\"record\",\"fields\":[]}",
                        SchemaNormalization.toParsingForm(s.row()))
                .replace("\"io.pgkb.template.Row\"", "\"" + s.row().getFullName() + "\"")
                .replace("\"io.pgkb.template.Envelope\"", "\"" + s.row().getNamespace() + ".Envelope\"");
        assertThat(SchemaNormalization.toParsingForm(s.value())).isEqualTo(expected);
        assertThat(s.value().getFullName()).isEqualTo("io.pgkb.tables.shop._order_20items.Envelope");
        assertThat(s.value().getField("before").schema().getTypes().get(1)).isSameAs(s.row());
        assertThat(s.value().getField("after").schema().getTypes().get(1)).isSameAs(s.row());
        assertThat(s.value().getField("unchanged").doc()).isEqualTo(template.getField("unchanged").doc());
    }

    @Test
    void noKeyColumnsMeansNoKeySchema() {
        List<ColumnDef> cols = new ArrayList<>();
        for (ColumnDef c : Fixtures.ordersColumns()) {
            cols.add(new ColumnDef(c.name(), c.typeOid(), c.typmod(), c.typeName(), false));
        }
        TableSchemas s = RowSchemas.derive(new RelationDef(1, Fixtures.ORDERS, 'f', cols));
        assertThat(s.key()).isNull();
        assertThat(s.row().getProp("pgkb.replica_identity")).isEqualTo("f");
    }

    @Test
    void everyKindOfEvolutionChangesTheFingerprint() {
        String base = SingleObjectCodec.fingerprint(RowSchemas.derive(Fixtures.orders()).value());
        List<List<ColumnDef>> variants = new ArrayList<>();
        // ADD COLUMN
        List<ColumnDef> added = Fixtures.ordersColumns();
        added.add(new ColumnDef("extra", PgTypes.INT4, -1, "integer", false));
        variants.add(added);
        // DROP COLUMN
        List<ColumnDef> dropped = Fixtures.ordersColumns();
        dropped.remove(3);
        variants.add(dropped);
        // ALTER COLUMN TYPE int -> bigint
        variants.add(replace(3, new ColumnDef("note", PgTypes.VARCHAR, 24, "character varying(20)", false)));
        // numeric(10,2) -> numeric(12,4): same Avro type "bytes", Avro's canonical form alone would not see it
        variants.add(replace(2, new ColumnDef("price", PgTypes.NUMERIC, PgTypesTest.numericTypmod(12, 4), "numeric(12,4)", false)));
        // timestamptz -> timestamp: both "long"
        variants.add(replace(4, new ColumnDef("at", PgTypes.TIMESTAMP, -1, "timestamp without time zone", false)));
        // text[] -> jsonb: both "string"
        variants.add(replace(5, new ColumnDef("tags", 3802, -1, "jsonb", false)));
        // RENAME COLUMN
        variants.add(replace(3, new ColumnDef("comment", PgTypes.TEXT, -1, "text", false)));
        // key change
        variants.add(replace(1, new ColumnDef("Line No", PgTypes.INT4, -1, "integer", false)));
        List<String> seen = new ArrayList<>(List.of(base));
        for (List<ColumnDef> v : variants) {
            String fp = SingleObjectCodec.fingerprint(RowSchemas.derive(Fixtures.orders(v)).value());
            assertThat(seen).as("fingerprint of %s", v).doesNotContain(fp);
            seen.add(fp);
        }
        // the key schema follows key column type changes too
        String key = SingleObjectCodec.fingerprint(RowSchemas.derive(Fixtures.orders()).key());
        String key2 = SingleObjectCodec.fingerprint(RowSchemas.derive(Fixtures.orders(
                replace(0, new ColumnDef("id", PgTypes.NUMERIC, PgTypesTest.numericTypmod(20, 0), "numeric(20,0)", true)))).key());
        String key3 = SingleObjectCodec.fingerprint(RowSchemas.derive(Fixtures.orders(
                replace(0, new ColumnDef("id", PgTypes.NUMERIC, PgTypesTest.numericTypmod(20, 2), "numeric(20,2)", true)))).key());
        assertThat(List.of(key, key2, key3)).doesNotHaveDuplicates();
    }

    @Test
    void collidingAvroNamesAreMadeUnique() {
        List<ColumnDef> cols = List.of(new ColumnDef("a b", PgTypes.INT4, -1, "integer", false),
                new ColumnDef("_a_20b", PgTypes.INT4, -1, "integer", false));
        Schema row = RowSchemas.derive(new RelationDef(1, new TableId("public", "t"), 'd', cols)).row();
        assertThat(row.getFields()).extracting(Schema.Field::name).doesNotHaveDuplicates();
        assertThat(row.getFields()).extracting(f -> f.getProp("pgkb.column")).containsExactly("a b", "_a_20b");
    }

    @Test
    void namespaceEscapesAnyIdentifier() {
        assertThat(RowSchemas.namespace(new TableId("public", "orders"))).isEqualTo("io.pgkb.tables.public.orders");
        assertThat(RowSchemas.namespace(new TableId("Größe", "a.b"))).matches("io\\.pgkb\\.tables\\.[A-Za-z0-9_]+\\.[A-Za-z0-9_]+");
    }

    private static List<ColumnDef> replace(int i, ColumnDef c) {
        List<ColumnDef> cols = Fixtures.ordersColumns();
        cols.set(i, c);
        return cols;
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = RowSchemas.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
