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
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Turns archived change records into {@link Change}s with PostgreSQL text values, one row shape per writer schema. */
public final class ChangeDecoding {
    private final ChangeRecordDecoder decoder;
    private final Map<Schema, RowShape> shapes = new IdentityHashMap<>();
    private final Map<Schema, ValueConverter[]> converters = new IdentityHashMap<>();

    public ChangeDecoding(SchemaResolver resolver) {
        this.decoder = new ChangeRecordDecoder(resolver);
    }

    /** @param table names the record in errors, with its partition and offset */
    public Change decode(ArchivedEntry e, String table) {
        ChangeRecord r;
        try {
            if (e.value() == null) {
                throw new CodecException("record has no value");
            }
            r = decoder.decode(e.value());
        } catch (CodecException.UnknownSchemaException x) {
            throw new PgkbException.ArchiveIncompleteException("writer schema " + SingleObjectCodec.hex(SingleObjectCodec.fingerprintOf(e.value()))
                    + " of " + where(table, e) + " is not in the archive");
        } catch (CodecException x) {
            throw new PgkbException.ArchiveIncompleteException("undecodable change record " + where(table, e) + ": " + x.getMessage());
        }
        RowShape shape = shapes.computeIfAbsent(r.rowSchema(), ChangeDecoding::shapeOf);
        Change.Op op = Change.Op.valueOf(r.op().name());
        // converters per writer schema, values by field position: no per-record maps or lookups
        ValueConverter[] conv = converters.computeIfAbsent(r.rowSchema(), ChangeDecoding::convertersOf);
        String[] before = op == Change.Op.TRUNCATE ? null : values(r.beforeRecord(), conv);
        String[] after = op == Change.Op.TRUNCATE ? null : values(r.afterRecord(), conv);
        boolean[] unchanged = null;
        Set<String> u = r.unchanged();
        if (!u.isEmpty()) {
            unchanged = new boolean[shape.size()];
            for (String name : u) {
                int i = shape.indexOf(name);
                if (i >= 0) {
                    unchanged[i] = true;
                }
            }
        }
        return new Change(op, r.commitLsn(), r.seq(), shape, before, after, unchanged);
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
