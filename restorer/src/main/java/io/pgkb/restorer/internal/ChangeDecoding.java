package io.pgkb.restorer.internal;

import io.pgkb.schemas.BinaryCursor;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.CodecException;
import io.pgkb.schemas.ConfluentFraming;
import io.pgkb.schemas.DdlEvent;
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
    /** Primary-key columns of the table whose new rows are kept undecoded ({@link LazyRow}); empty: decode all. */
    private final List<String> lazyKey;
    private final Map<Long, EnvelopePlan> plans = new HashMap<>();
    private final Map<Long, Boolean> ddlSchemas = new HashMap<>();
    private long lastFingerprint;
    private EnvelopePlan last;
    private boolean[] lastKeysOnly;
    private final BinaryCursor in = new BinaryCursor();

    public ChangeDecoding(SchemaResolver resolver) {
        this(resolver, List.of());
    }

    private ChangeDecoding(SchemaResolver resolver, List<String> lazyKey) {
        this.decoder = new ChangeRecordDecoder(resolver);
        this.lazyKey = List.copyOf(lazyKey);
    }

    /**
     * A decoder for the changes of a table with this primary key, going into a {@link KeyFold}: an INSERT's or
     * UPDATE's new row is decoded only in its key columns and kept as a {@link LazyRow}. Empty: as this one.
     */
    ChangeDecoding withLazyRows(List<String> primaryKey) {
        return new ChangeDecoding(decoder.resolver(), primaryKey);
    }

    /** A decoder like this one (same schemas, same lazy rows) for another thread: a decoder keeps per-thread state. */
    ChangeDecoding sibling() {
        return new ChangeDecoding(decoder.resolver(), lazyKey);
    }

    /**
     * A change, or the {@link DdlEvent} of a DDL record (recognised by its writer schema, never decoded as a row
     * change); errors name the table, partition and offset of the record.
     */
    Object decodeAny(ArchivedEntry e, String table) {
        byte[] value = singleObject(e, table);
        if (value != null && SingleObjectCodec.isSingleObject(value)) {
            long fp = SingleObjectCodec.fingerprintOf(value);
            if ((last == null || fp != lastFingerprint) && isDdl(fp)) {
                try {
                    return DdlEvent.decode(value, decoder.resolver());
                } catch (CodecException x) {
                    throw new PgkbException.ArchiveIncompleteException("undecodable DDL record " + where(table, e) + ": " + x.getMessage());
                }
            }
        }
        return decode(value, e, table);
    }

    /**
     * The value in single-object encoding: registry mode's Confluent framing (DESIGN §14) becomes the same datum
     * under its schema's fingerprint, through the id map the archive keeps; everything after reads one encoding.
     */
    private byte[] singleObject(ArchivedEntry e, String table) {
        try {
            return ConfluentFraming.toSingleObject(e.value(), decoder.resolver());
        } catch (CodecException.UnknownSchemaException x) {
            throw new PgkbException.ArchiveIncompleteException("undecodable change record " + where(table, e) + ": " + x.getMessage());
        }
    }

    /** The DDL record's event, or null for any other record (not decoded); errors name table, partition and offset. */
    DdlEvent ddlOrNull(ArchivedEntry e, String table) {
        byte[] value = singleObject(e, table);
        if (value == null || !SingleObjectCodec.isSingleObject(value) || !isDdl(SingleObjectCodec.fingerprintOf(value))) {
            return null;
        }
        try {
            return DdlEvent.decode(value, decoder.resolver());
        } catch (CodecException x) {
            throw new PgkbException.ArchiveIncompleteException("undecodable DDL record " + where(table, e) + ": " + x.getMessage());
        }
    }

    /** The fingerprint is a DDL record schema's; answered once per fingerprint. */
    private boolean isDdl(long fp) {
        return ddlSchemas.computeIfAbsent(fp, k -> k == DdlEvent.FINGERPRINT
                || DdlEvent.isDdlSchema(decoder.resolver().findByFingerprint(k)));
    }

    /** @param table names the record in errors, with its partition and offset */
    public Change decode(ArchivedEntry e, String table) {
        return decode(singleObject(e, table), e, table);
    }

    private Change decode(byte[] value, ArchivedEntry e, String table) {
        EnvelopePlan plan;
        try {
            if (value == null) {
                throw new CodecException("record has no value");
            }
            plan = plan(SingleObjectCodec.fingerprintOf(value));
        } catch (CodecException.UnknownSchemaException x) {
            throw new PgkbException.ArchiveIncompleteException("writer schema " + SingleObjectCodec.hex(SingleObjectCodec.fingerprintOf(value))
                    + " of " + where(table, e) + " is not in the archive");
        } catch (CodecException x) {
            throw new PgkbException.ArchiveIncompleteException("undecodable change record " + where(table, e) + ": " + x.getMessage());
        }
        boolean[] keysOnly = lastKeysOnly;
        try {
            return plan.read(in.reset(value, HEADER), keysOnly,
                    keysOnly == null ? null : new LazyRow(plan, value, table, e.partition(), e.offset()));
        } catch (IOException x) {
            throw undecodable(value, table, e.partition(), e.offset(), x);
        }
    }

    /** The whole new row of a record whose row was kept undecoded ({@link EnvelopePlan#readAfter}); errors name the record. */
    static String[] readAfter(EnvelopePlan plan, byte[] value, String table, int partition, long offset) {
        try {
            return plan.readAfter(new BinaryCursor().reset(value, HEADER));
        } catch (IOException x) {
            throw undecodable(value, table, partition, offset, x);
        }
    }

    /**
     * @param x what the cursor throws on bytes that are no datum (EOF, a varint too long), or {@link EnvelopePlan.Corrupt}
     *          for what the plan checks itself
     */
    private static PgkbException undecodable(byte[] value, String table, int partition, long offset, IOException x) {
        return new PgkbException.ArchiveIncompleteException("undecodable change record " + where(table, partition, offset)
                + ": corrupt record of schema " + SingleObjectCodec.hex(SingleObjectCodec.fingerprintOf(value)) + ": "
                + (x instanceof EnvelopePlan.Corrupt ? x.getMessage() : x.toString()));
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
        lastKeysOnly = p.keyMask(lazyKey);
        return p;
    }

    private static String where(String table, ArchivedEntry e) {
        return where(table, e.partition(), e.offset());
    }

    private static String where(String table, int partition, long offset) {
        return "table " + table + " partition " + partition + " offset " + offset;
    }

    /** Commit time (µs) of a change record, for {@code --to-time}. */
    public long commitTimeMicros(ArchivedEntry e) {
        byte[] value = ConfluentFraming.toSingleObject(e.value(), decoder.resolver());
        if (SingleObjectCodec.isSingleObject(value) && isDdl(SingleObjectCodec.fingerprintOf(value))) {
            return DdlEvent.decode(value, decoder.resolver()).commitTimeMicros();
        }
        return decoder.decode(value).commitTimeMicros();
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
