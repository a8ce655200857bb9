package io.pgkb.schemas;

import io.pgkb.schemas.internal.Converters;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * One decoded change: the envelope with the writer schema it was written with.
 *
 * <p>Row maps are keyed by exact PostgreSQL column names in table order. Their values: null (SQL NULL, or a
 * column listed in {@link #unchanged()}), Boolean, Integer, Long, Float, Double, String, BigDecimal (numeric with
 * a typmod; NaN/±Infinity stay String), byte[] (bytea), Integer days since 1970 for date (MAX/MIN = ±infinity),
 * Long microseconds for timestamp/timestamptz (since 1970, MAX/MIN = ±infinity) and time (since midnight).
 * Every other type is its PostgreSQL text as String. {@link #afterText()} gives PostgreSQL input text instead.
 */
public final class ChangeRecord {
    // one entry per row schema version seen by this JVM: a handful
    private static final Map<Schema, ValueConverter[]> CONVERTERS = new ConcurrentHashMap<>();
    private final GenericRecord envelope;
    private final GenericRecord source;
    private Map<String, Object> before;
    private Map<String, Object> after;

    public ChangeRecord(GenericRecord envelope) {
        this.envelope = envelope;
        this.source = (GenericRecord) envelope.get("source");
    }

    public Op op() {
        return Op.valueOf(envelope.get("op").toString());
    }

    /** The table, from the row schema's properties (exact even when names contain dots). */
    public TableId table() {
        Schema row = rowSchema();
        Object s = row.getObjectProp(RowSchemas.PROP_TABLE_SCHEMA);
        Object t = row.getObjectProp(RowSchemas.PROP_TABLE_NAME);
        if (s != null && t != null) {
            return new TableId(s.toString(), t.toString());
        }
        String q = source.get("table").toString();
        int dot = q.indexOf('.');
        return new TableId(q.substring(0, dot), q.substring(dot + 1));
    }

    /** {@code source.table}: exact qualified name {@code schema.table}, unquoted. */
    public String qualifiedTable() {
        return source.get("table").toString();
    }

    public GenericRecord beforeRecord() {
        return (GenericRecord) envelope.get("before");
    }

    public GenericRecord afterRecord() {
        return (GenericRecord) envelope.get("after");
    }

    /** Old row (old key columns only unless REPLICA IDENTITY FULL), or null. */
    public Map<String, Object> before() {
        if (before == null && beforeRecord() != null) {
            before = values(beforeRecord());
        }
        return before;
    }

    public Map<String, Object> after() {
        if (after == null && afterRecord() != null) {
            after = values(afterRecord());
        }
        return after;
    }

    /** Old row as PostgreSQL input text per column (null for SQL NULL), or null when there is no old row. */
    public Map<String, String> beforeText() {
        return text(beforeRecord());
    }

    public Map<String, String> afterText() {
        return text(afterRecord());
    }

    /** Exact names of columns whose value the server did not send (unchanged TOAST); their value means nothing. */
    public Set<String> unchanged() {
        @SuppressWarnings("unchecked")
        List<Object> names = (List<Object>) envelope.get("unchanged");
        Set<String> out = new LinkedHashSet<>();
        for (Object n : names) {
            out.add(n.toString());
        }
        return Collections.unmodifiableSet(out);
    }

    public long lsn() {
        return (Long) source.get("lsn");
    }

    public long commitLsn() {
        return (Long) source.get("commit_lsn");
    }

    public long xid() {
        return (Long) source.get("xid");
    }

    public long commitTimeMicros() {
        return (Long) source.get("commit_time");
    }

    public Instant commitTime() {
        return Instant.EPOCH.plus(commitTimeMicros(), ChronoUnit.MICROS);
    }

    public long seq() {
        return (Long) source.get("seq");
    }

    /** The writer schema of the value (the envelope). */
    public Schema writerSchema() {
        return envelope.getSchema();
    }

    /** The row record schema (the non-null branch of {@code after}). */
    public Schema rowSchema() {
        return rowSchemaOf(writerSchema());
    }

    /** Exact PostgreSQL column names in table order. */
    public List<String> columns() {
        return rowSchema().getFields().stream().map(ChangeRecord::columnName).toList();
    }

    public GenericRecord envelope() {
        return envelope;
    }

    public static Schema rowSchemaOf(Schema envelope) {
        for (Schema b : envelope.getField("after").schema().getTypes()) {
            if (b.getType() == Schema.Type.RECORD) {
                return b;
            }
        }
        throw new IllegalArgumentException("not a pgkb envelope schema: " + envelope.getFullName());
    }

    /** The exact PostgreSQL column name of a row or key field. */
    public static String columnName(Schema.Field f) {
        Object n = f.getObjectProp(RowSchemas.PROP_COLUMN);
        return n == null ? f.name() : n.toString();
    }

    /** Row or key record as an ordered map of exact column names to plain Java values (see class doc). */
    public static Map<String, Object> values(GenericRecord rec) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field f : rec.getSchema().getFields()) {
            out.put(columnName(f), plain(rec.get(f.pos()), f.schema()));
        }
        return Collections.unmodifiableMap(out);
    }

    static Object plain(Object v, Schema fieldSchema) {
        if (v == null) {
            return null;
        }
        if (v instanceof CharSequence) {
            return v.toString();
        }
        if (v instanceof ByteBuffer || v instanceof byte[]) {
            for (Schema b : fieldSchema.getType() == Schema.Type.UNION ? fieldSchema.getTypes() : List.of(fieldSchema)) {
                if (b.getLogicalType() instanceof LogicalTypes.Decimal d) {
                    return Converters.decimal(v, d.getScale());
                }
            }
            return Converters.bytes(v);
        }
        return v;
    }

    private static Map<String, String> text(GenericRecord rec) {
        if (rec == null) {
            return null;
        }
        Schema schema = rec.getSchema();
        ValueConverter[] conv = CONVERTERS.computeIfAbsent(schema,
                s -> s.getFields().stream().map(PgTypes::converter).toArray(ValueConverter[]::new));
        Map<String, String> out = new LinkedHashMap<>();
        for (Schema.Field f : schema.getFields()) {
            out.put(columnName(f), conv[f.pos()].toPgText(rec.get(f.pos())));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return op() + " " + qualifiedTable() + " commit_lsn=" + Lsn.of(commitLsn()) + " seq=" + seq();
    }
}
