package io.pgkb.restorer.internal;

import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.CodecException;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.RowSchemas;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.ValueConverter;
import io.pgkb.store.catalog.ArchivedEntry;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Turns archived change records into {@link Change}s with PostgreSQL text values, one row shape per writer schema. */
public final class ChangeDecoding {
    private final ChangeRecordDecoder decoder;
    private final Map<Schema, Layout> layouts = new IdentityHashMap<>();

    public ChangeDecoding(SchemaResolver resolver) {
        this.decoder = new ChangeRecordDecoder(resolver);
    }

    /** @param table names the record in errors, with its partition and offset */
    public Change decode(ArchivedEntry e, String table) {
        GenericRecord env;
        Layout l;
        try {
            if (e.value() == null) {
                throw new CodecException("record has no value");
            }
            env = SingleObjectCodec.decode(e.value(), decoder.resolver());
            l = layouts.computeIfAbsent(env.getSchema(), Layout::of);
        } catch (CodecException.UnknownSchemaException x) {
            throw new PgkbException.ArchiveIncompleteException("writer schema " + SingleObjectCodec.hex(SingleObjectCodec.fingerprintOf(e.value()))
                    + " of " + where(table, e) + " is not in the archive");
        } catch (CodecException x) {
            throw new PgkbException.ArchiveIncompleteException("undecodable change record " + where(table, e) + ": " + x.getMessage());
        }
        GenericRecord source = (GenericRecord) env.get(l.source);
        Change.Op op = l.op(env.get(l.op));
        String[] before = op == Change.Op.TRUNCATE ? null : values((GenericRecord) env.get(l.before), l.converters);
        String[] after = op == Change.Op.TRUNCATE ? null : values((GenericRecord) env.get(l.after), l.converters);
        boolean[] unchanged = null;
        List<?> u = (List<?>) env.get(l.unchanged);
        if (!u.isEmpty()) {
            unchanged = new boolean[l.shape.size()];
            for (Object name : u) {
                int i = l.shape.indexOf(name.toString());
                if (i >= 0) {
                    unchanged[i] = true;
                }
            }
        }
        return new Change(op, (Long) source.get(l.commitLsn), (Long) source.get(l.seq), l.shape, before, after, unchanged);
    }

    /**
     * Field positions, row shape and value converters of one writer schema (envelope), found once: the per-record
     * path then reads fields by position, with no name lookups (as {@link ChangeRecord} does by name).
     */
    private static final class Layout {
        final int op;
        final int source;
        final int before;
        final int after;
        final int unchanged;
        final int commitLsn;
        final int seq;
        final RowShape shape;
        final ValueConverter[] converters;
        private final Map<Object, Change.Op> ops = new java.util.HashMap<>();

        private Layout(Schema env) {
            op = pos(env, "op");
            source = pos(env, "source");
            before = pos(env, "before");
            after = pos(env, "after");
            unchanged = pos(env, "unchanged");
            Schema src = env.getFields().get(source).schema();
            commitLsn = pos(src, "commit_lsn");
            seq = pos(src, "seq");
            Schema row = ChangeRecord.rowSchemaOf(env);
            shape = shapeOf(row);
            converters = convertersOf(row);
        }

        private static int pos(Schema record, String field) {
            Schema.Field f = record.getType() == Schema.Type.RECORD ? record.getField(field) : null;
            if (f == null) {
                throw new CodecException("not a pgkb change envelope: schema " + record.getFullName() + " has no field " + field);
            }
            return f.pos();
        }

        static Layout of(Schema env) {
            return new Layout(env);
        }

        Change.Op op(Object symbol) {
            // enum symbols of one schema are few; keyed by their text, as ChangeRecord.op() reads them
            return ops.computeIfAbsent(symbol.toString(), k -> Change.Op.valueOf(k.toString()));
        }
    }

    private static String where(String table, ArchivedEntry e) {
        return "table " + table + " partition " + e.partition() + " offset " + e.offset();
    }

    /** Commit time (µs) of a change record, for {@code --to-time}. */
    public long commitTimeMicros(ArchivedEntry e) {
        return decoder.decode(e.value()).commitTimeMicros();
    }

    private static String[] values(GenericRecord row, ValueConverter[] conv) {
        if (row == null) {
            return null;
        }
        String[] out = new String[conv.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = conv[i].toPgText(row.get(i));
        }
        return out;
    }

    private static ValueConverter[] convertersOf(Schema row) {
        List<Schema.Field> fields = row.getFields();
        ValueConverter[] out = new ValueConverter[fields.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = PgTypes.converter(fields.get(i));
        }
        return out;
    }

    static RowShape shapeOf(Schema row) {
        List<RowShape.Column> cols = new ArrayList<>();
        for (Schema.Field f : row.getFields()) {
            Object type = f.getObjectProp(RowSchemas.PROP_TYPE);
            if (type == null) {
                throw new PgkbException.ArchiveIncompleteException("writer schema " + row.getFullName() + " lacks "
                        + RowSchemas.PROP_TYPE + " on field " + f.name());
            }
            cols.add(new RowShape.Column(ChangeRecord.columnName(f), type.toString()));
        }
        return new RowShape(cols);
    }
}
