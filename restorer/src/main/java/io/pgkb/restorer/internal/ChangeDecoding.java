package io.pgkb.restorer.internal;

import io.pgkb.schemas.BinaryCursor;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.CodecException;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.RowSchemas;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.store.catalog.ArchivedEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Turns archived change records into {@link Change}s with PostgreSQL text values, one row shape per writer schema.
 * The Avro datum is read straight into the change by the {@link EnvelopePlan} of its writer schema (found once per
 * fingerprint); errors name the table, partition and offset of the record. Not thread-safe: one per reading thread.
 */
public final class ChangeDecoding {
    private static final int HEADER = 10; // C3 01 + 8-byte fingerprint
    private final ChangeRecordDecoder decoder;
    private final Map<Long, EnvelopePlan> plans = new HashMap<>();
    private long lastFingerprint;
    private EnvelopePlan last;
    private final BinaryCursor in = new BinaryCursor();

    public ChangeDecoding(SchemaResolver resolver) {
        this.decoder = new ChangeRecordDecoder(resolver);
    }

    /** The schemas it decodes with (thread-safe), for a second decoder on another thread. */
    SchemaResolver resolver() {
        return decoder.resolver();
    }

    /** @param table names the record in errors, with its partition and offset */
    public Change decode(ArchivedEntry e, String table) {
        byte[] value = e.value();
        long fp;
        EnvelopePlan plan;
        try {
            if (value == null) {
                throw new CodecException("record has no value");
            }
            fp = SingleObjectCodec.fingerprintOf(value);
            plan = plan(fp);
        } catch (CodecException.UnknownSchemaException x) {
            throw new PgkbException.ArchiveIncompleteException("writer schema " + SingleObjectCodec.hex(SingleObjectCodec.fingerprintOf(value))
                    + " of " + where(table, e) + " is not in the archive");
        } catch (CodecException x) {
            throw new PgkbException.ArchiveIncompleteException("undecodable change record " + where(table, e) + ": " + x.getMessage());
        }
        try {
            return plan.read(in.reset(value, HEADER));
        } catch (IOException x) {
            // what the cursor throws on bytes that are no datum (EOF, a varint too long), and EnvelopePlan.Corrupt for
            // what the plan checks itself
            throw new PgkbException.ArchiveIncompleteException("undecodable change record " + where(table, e)
                    + ": corrupt record of schema " + SingleObjectCodec.hex(fp) + ": "
                    + (x instanceof EnvelopePlan.Corrupt ? x.getMessage() : x.toString()));
        }
    }

    /** The plan of a writer schema; nearly every record has the schema of the one before. */
    private EnvelopePlan plan(long fp) {
        if (last != null && fp == lastFingerprint) {
            return last;
        }
        EnvelopePlan p = plans.get(fp);
        if (p == null) {
            Schema writer = decoder.resolver().findByFingerprint(fp);
            if (writer == null) {
                throw new CodecException.UnknownSchemaException(fp);
            }
            if (SingleObjectCodec.fingerprint64(writer) != fp) {
                throw new CodecException("resolver returned a schema whose fingerprint is "
                        + SingleObjectCodec.fingerprint(writer) + ", not " + SingleObjectCodec.hex(fp));
            }
            try {
                p = new EnvelopePlan(writer);
            } catch (IllegalArgumentException x) { // a field schema outside the type mapping
                throw new CodecException("writer schema " + SingleObjectCodec.hex(fp) + ": " + x.getMessage());
            }
            plans.put(fp, p);
        }
        lastFingerprint = fp;
        last = p;
        return p;
    }

    private static String where(String table, ArchivedEntry e) {
        return "table " + table + " partition " + e.partition() + " offset " + e.offset();
    }

    /** Commit time (µs) of a change record, for {@code --to-time}. */
    public long commitTimeMicros(ArchivedEntry e) {
        return decoder.decode(e.value()).commitTimeMicros();
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
