package io.pgkb.schemas.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON round trip and the canonical text, on a definition as PostgreSQL 17 printed it (definition-v1.json). */
public class TableDefinitionTest {

    public static String fixture() throws IOException {
        try (InputStream in = TableDefinitionTest.class.getResourceAsStream("definition-v1.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheFormatAsTheQueryWritesIt() throws IOException {
        TableDefinition d = TableDefinition.fromJson(fixture());
        assertThat(d.formatVersion()).isEqualTo(1);
        assertThat(d.tableId().qualified()).isEqualTo("s1.t");
        assertThat(d.qualified()).isEqualTo("s1.t");
        assertThat(d.columns()).extracting(TableDefinition.Column::name)
                .containsExactly("id", "ident", "name", "qty", "other_id", "code", "total", "created", "extra");
        assertThat(d.storedColumns()).extracting(TableDefinition.Column::name).doesNotContain("total");
        TableDefinition.Column extra = d.columns().get(8);
        assertThat(extra.defaultExpr()).isEqualTo("'hello, \"world\"'::text");
        assertThat(extra.missingValue()).isEqualTo("hello, \"world\"");
        assertThat(d.columns().get(2).collation()).isEqualTo("pg_catalog.\"C\"");
        assertThat(d.columns().get(1).identity()).isEqualTo("a");
        assertThat(d.primaryKey().definition()).isEqualTo("PRIMARY KEY (id)");
        assertThat(d.foreignKeys()).singleElement().satisfies(fk -> {
            assertThat(fk.referencedTableId().qualified()).isEqualTo("s1.other");
            assertThat(fk.definition()).contains("REFERENCES s1.other(id)");
        });
        assertThat(d.sequences()).extracting(TableDefinition.Sequence::lastValue).containsExactly(2L, 15L);
        assertThat(d.sequences().get(1).isIdentity()).isTrue();
        assertThat(d.replicaIdentityIndex()).isEqualTo("t_code_key");
        assertThat(d.policies()).singleElement().satisfies(p -> assertThat(p.roles()).containsExactly("reader"));
        assertThat(d.triggers()).singleElement().satisfies(t -> assertThat(t.enabled()).isEqualTo("O"));
        assertThat(d.acl()).anySatisfy(g -> assertThat(g.grantee() + " " + g.privilege()).isEqualTo("reader SELECT"));
    }

    @Test
    void jsonRoundTripKeepsEverything() throws IOException {
        TableDefinition d = TableDefinition.fromJson(fixture());
        String json = d.toJson();
        TableDefinition back = TableDefinition.fromJson(json);
        assertThat(back).isEqualTo(d);
        assertThat(back.oid()).isEqualTo(d.oid());
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(json).contains("\"format_version\":1", "\"default\":\"'x'::text\"", "\"not_null\":true");
    }

    @Test
    void oidIsNotPartOfEquality() throws IOException {
        String json = fixture();
        TableDefinition a = TableDefinition.fromJson(json);
        TableDefinition b = TableDefinition.fromJson(json.replace("\"oid\": 16402", "\"oid\": 99999"));
        assertThat(b.oid()).isEqualTo(99999);
        assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    }

    @Test
    void unknownFieldsAreIgnoredAndNewerFormatsRefused() throws IOException {
        String json = fixture();
        assertThat(TableDefinition.fromJson(json.replace("\"oid\":", "\"later_field\": [1], \"oid\":")))
                .isEqualTo(TableDefinition.fromJson(json));
        assertThatThrownBy(() -> TableDefinition.fromJson(json.replace("\"format_version\": 1", "\"format_version\": 2")))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class).hasMessageContaining("format_version 2");
        assertThatThrownBy(() -> TableDefinition.fromJson("{nope"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class).hasMessageContaining("unreadable table definition");
    }

    @Test
    void canonicalTextIgnoresTheTablesSchemaAndName() throws IOException {
        TableDefinition source = TableDefinition.fromJson(fixture());
        TableDefinition copy = TableDefinition.fromJson(moved(fixture()));
        assertThat(copy.schema()).isEqualTo("restored");
        assertThat(copy.canonical()).isEqualTo(source.canonical());
        assertThat(source.canonical()).contains("constraint <t>_pkey p PRIMARY KEY (id)",
                "index <t>_lower_name CREATE INDEX ON <s>.<t> USING btree (lower(name))",
                "default=nextval('<s>.<t>_id_seq'::regclass)", "REFERENCES <s>.other(id)", "trigger <t>_trg CREATE TRIGGER BEFORE INSERT ON <s>.<t>");
    }

    @Test
    void canonicalTextCatchesAMissingIndexOrDefault() throws IOException {
        TableDefinition source = TableDefinition.fromJson(fixture());
        TableDefinition noIndex = new TableDefinition(source.formatVersion(), source.oid(), source.schema(), source.table(),
                source.schemaIdent(), source.tableIdent(), source.relkind(), source.persistence(), source.owner(),
                source.tablespace(), source.options(), source.replicaIdentity(), source.replicaIdentityIndex(),
                source.rlsEnabled(), source.rlsForced(), source.comment(), source.acl(), source.columns(),
                source.constraints(), source.indexes().subList(1, source.indexes().size()), source.sequences(),
                source.policies(), source.triggers());
        assertThat(noIndex.canonical()).isNotEqualTo(source.canonical());
        List<TableDefinition.Column> cols = new ArrayList<>(source.columns());
        TableDefinition.Column name = cols.get(2);
        cols.set(2, new TableDefinition.Column(name.name(), name.attnum(), name.type(), name.collation(), name.notNull(),
                null, name.identity(), name.generated(), name.generatedKind(), name.hasMissing(), name.missing(),
                name.comment(), name.acl()));
        TableDefinition noDefault = new TableDefinition(source.formatVersion(), source.oid(), source.schema(),
                source.table(), source.schemaIdent(), source.tableIdent(), source.relkind(), source.persistence(),
                source.owner(), source.tablespace(), source.options(), source.replicaIdentity(),
                source.replicaIdentityIndex(), source.rlsEnabled(), source.rlsForced(), source.comment(), source.acl(),
                cols, source.constraints(), source.indexes(), source.sequences(), source.policies(), source.triggers());
        assertThat(noDefault.canonical()).isNotEqualTo(source.canonical());
        assertThat(noDefault).isNotEqualTo(source);
    }

    @Test
    void missingValueDecodesArrayLiterals() {
        assertThat(ArrayElement.single("{7}")).isEqualTo("7");
        assertThat(ArrayElement.single("{\"a b\"}")).isEqualTo("a b");
        assertThat(ArrayElement.single("{\"{1,2}\"}")).isEqualTo("{1,2}");
        assertThat(ArrayElement.single("{\"x\\\\y\\\"z\"}")).isEqualTo("x\\y\"z");
        assertThat(ArrayElement.single("{\"NULL\"}")).isEqualTo("NULL");
        assertThat(ArrayElement.single("{NULL}")).isNull();
    }

    /** The fixture as PostgreSQL would print the same table restored as restored.t (its FK target restored alongside). */
    static String moved(String json) {
        return json.replace("\"s1\"", "\"restored\"").replaceAll("s1\\.t(?=[_ ('\"])", "restored.t")
                .replace("s1.other", "restored.other").replace("\"oid\": 16402", "\"oid\": 20000");
    }
}
