package io.pgkb.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Derives the key, row and envelope schemas of a relation version. Deterministic: equal {@link RelationDef}s give
 * equal schema JSON and fingerprints.
 *
 * <p>Avro's fingerprint covers only the parsing canonical form, which drops logical types and properties, so
 * {@code numeric(10,2)} and {@code numeric(12,4)}, or {@code timestamp} and {@code timestamptz}, would share a
 * fingerprint and one would overwrite the other in the compacted {@code _schemas} topic. The row and key
 * record names therefore end in a digest of the full record JSON ({@code Row_<16 hex>}, {@code Key_<16 hex>}),
 * which the canonical form keeps: every change of a column's type, name, order or key gives a new fingerprint.
 */
public final class RowSchemas {
    public static final String PROP_COLUMN = "pgkb.column";
    public static final String PROP_TYPE = "pgkb.type";
    public static final String PROP_TYPE_OID = "pgkb.type_oid";
    public static final String PROP_TABLE = "pgkb.table";
    public static final String PROP_KEY = "pgkb.key";
    public static final String PROP_REPLICA_IDENTITY = "pgkb.replica_identity";
    /** exact schema and table names apart, since a qualified name is ambiguous when names contain dots */
    public static final String PROP_TABLE_SCHEMA = "pgkb.table_schema";
    public static final String PROP_TABLE_NAME = "pgkb.table_name";

    private static final Schema TEMPLATE;
    public static final Schema OP;
    public static final Schema SOURCE;

    static {
        Schema.Parser parser = new Schema.Parser();
        OP = parser.parse(resource("Op.avsc"));
        SOURCE = parser.parse(resource("Source.avsc"));
        TEMPLATE = parser.parse(resource("Envelope.avsc"));
    }

    private RowSchemas() {
    }

    public static TableSchemas derive(RelationDef relation) {
        String namespace = namespace(relation.table());
        List<String> fieldNames = fieldNames(relation.columns());
        Schema row = withDigest("Row", name -> record(name, namespace, relation, relation.columns(), fieldNames, true));
        List<ColumnDef> keyCols = new ArrayList<>();
        List<String> keyNames = new ArrayList<>();
        for (int i = 0; i < relation.columns().size(); i++) {
            if (relation.columns().get(i).key()) {
                keyCols.add(relation.columns().get(i));
                keyNames.add(fieldNames.get(i));
            }
        }
        Schema key = keyCols.isEmpty() ? null
                : withDigest("Key", name -> record(name, namespace, relation, keyCols, keyNames, false));
        return new TableSchemas(key, envelope(row), row);
    }

    /** {@code io.pgkb.tables.<avroName(schema)>.<avroName(table)>} */
    public static String namespace(TableId table) {
        return "io.pgkb.tables." + Names.avroName(table.schema()) + "." + Names.avroName(table.table());
    }

    /**
     * The change envelope of {@code Envelope.avsc} around the given row record, named {@code Envelope} in the row's
     * namespace ({@code io.pgkb.tables.<schema>.<table>}) so a schema says which table it belongs to.
     */
    public static Schema envelope(Schema row) {
        Schema env = Schema.createRecord(TEMPLATE.getName(), TEMPLATE.getDoc(), row.getNamespace(), false);
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : TEMPLATE.getFields()) {
            Schema type = f.schema();
            if (f.name().equals("before") || f.name().equals("after")) {
                type = Schema.createUnion(List.of(Schema.create(Schema.Type.NULL), row));
            }
            fields.add(new Schema.Field(f.name(), type, f.doc(), f.defaultVal()));
        }
        env.setFields(fields);
        return env;
    }

    /** Avro field names: {@link Names#avroName}, made unique in column order when two names would collide. */
    static List<String> fieldNames(List<ColumnDef> columns) {
        Set<String> used = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (ColumnDef c : columns) {
            String n = Names.avroName(c.name());
            while (!used.add(n)) {
                n = "_" + Names.escape(n).replace("-", "_2d");
            }
            out.add(n);
        }
        return out;
    }

    private static Schema record(String name, String namespace, RelationDef relation, List<ColumnDef> columns,
                                 List<String> names, boolean withIdentity) {
        Schema rec = Schema.createRecord(name, null, namespace, false);
        List<Schema.Field> fields = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            ColumnDef c = columns.get(i);
            Schema.Field f = new Schema.Field(names.get(i), PgTypes.fieldSchema(c), null, JsonProperties.NULL_VALUE);
            f.addProp(PROP_COLUMN, c.name());
            f.addProp(PROP_TYPE, c.typeName());
            f.addProp(PROP_TYPE_OID, c.typeOid());
            fields.add(f);
        }
        rec.setFields(fields);
        rec.addProp(PROP_TABLE, relation.table().qualified());
        rec.addProp(PROP_TABLE_SCHEMA, relation.table().schema());
        rec.addProp(PROP_TABLE_NAME, relation.table().table());
        rec.addProp(PROP_KEY, relation.keyColumns().stream().map(ColumnDef::name).toList());
        if (withIdentity) {
            rec.addProp(PROP_REPLICA_IDENTITY, String.valueOf(relation.replicaIdentity()));
        }
        return rec;
    }

    private static Schema withDigest(String base, Function<String, Schema> build) {
        Schema draft = build.apply(base);
        long digest = SchemaNormalization.fingerprint64(draft.toString().getBytes(StandardCharsets.UTF_8));
        return build.apply(base + "_" + SingleObjectCodec.hex(digest));
    }

    private static String resource(String name) {
        try (InputStream in = RowSchemas.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
