package io.pgkb.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds the Avro key and value records of one relation version from PostgreSQL text values. One instance per
 * relation version (it holds the converters); thread-safe.
 */
public final class ChangeEnvelopes {
    private final RelationDef relation;
    private final TableSchemas schemas;
    private final List<ValueConverter> converters;
    private final Schema.Field[] keyFieldsInRow;

    public ChangeEnvelopes(RelationDef relation) {
        this(relation, RowSchemas.derive(relation));
    }

    public ChangeEnvelopes(RelationDef relation, TableSchemas schemas) {
        this.relation = relation;
        this.schemas = schemas;
        this.converters = relation.columns().stream().map(PgTypes::converter).toList();
        if (schemas.key() == null) {
            keyFieldsInRow = new Schema.Field[0];
        } else {
            List<Schema.Field> kf = schemas.key().getFields();
            keyFieldsInRow = new Schema.Field[kf.size()];
            for (int i = 0; i < kf.size(); i++) {
                keyFieldsInRow[i] = schemas.row().getField(kf.get(i).name());
            }
        }
    }

    public RelationDef relation() {
        return relation;
    }

    public TableSchemas schemas() {
        return schemas;
    }

    /**
     * A row record from the column values in relation order.
     *
     * @param pgText PostgreSQL text output per column; null for SQL NULL and for a value the server did not
     *               send (unchanged TOAST, or non-key columns of an old key tuple) — name those in
     *               {@code unchanged} of {@link #value} where that is what they are
     * @throws IllegalArgumentException naming the column when a value does not parse as its type
     */
    public GenericRecord row(List<String> pgText) {
        if (pgText.size() != converters.size()) {
            throw new IllegalArgumentException(relation.table() + ": " + pgText.size() + " values for "
                    + converters.size() + " columns");
        }
        GenericData.Record rec = new GenericData.Record(schemas.row());
        for (int i = 0; i < converters.size(); i++) {
            String text = pgText.get(i);
            if (text != null) {
                try {
                    rec.put(i, converters.get(i).toAvro(text));
                } catch (RuntimeException e) {
                    ColumnDef c = relation.columns().get(i);
                    throw new IllegalArgumentException(relation.table() + " column " + c.name() + " (" + c.typeName()
                            + "): " + e.getMessage(), e);
                }
            }
        }
        return rec;
    }

    /** The key record of a row (new row for INSERT/UPDATE, old key or row for DELETE); null when the table has no key. */
    public GenericRecord key(GenericRecord row) {
        if (schemas.key() == null || row == null) {
            return null;
        }
        GenericData.Record key = new GenericData.Record(schemas.key());
        for (int i = 0; i < keyFieldsInRow.length; i++) {
            key.put(i, row.get(keyFieldsInRow[i].pos()));
        }
        return key;
    }

    /** The envelope record. {@code unchanged} holds exact PostgreSQL column names. */
    public GenericRecord value(Op op, GenericRecord before, GenericRecord after, Collection<String> unchanged,
                               ChangeSource source) {
        GenericData.Record env = new GenericData.Record(schemas.value());
        env.put("op", new GenericData.EnumSymbol(RowSchemas.OP, op.name()));
        env.put("before", before);
        env.put("after", after);
        env.put("unchanged", unchanged == null ? List.of() : new ArrayList<>(unchanged));
        env.put("source", source(source));
        return env;
    }

    public static GenericRecord source(ChangeSource s) {
        GenericData.Record src = new GenericData.Record(RowSchemas.SOURCE);
        src.put("lsn", s.lsn());
        src.put("commit_lsn", s.commitLsn());
        src.put("xid", s.xid());
        src.put("commit_time", s.commitTimeMicros());
        src.put("seq", s.seq());
        src.put("table", s.table().qualified());
        return src;
    }
}
