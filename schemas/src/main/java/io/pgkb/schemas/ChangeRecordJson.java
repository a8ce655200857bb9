package io.pgkb.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.pgkb.schemas.internal.Converters;
import io.pgkb.schemas.internal.PgTime;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.HexFormat;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Renders a change record as one JSON line for people ({@code pgkb inspect}, the console formatter). Numbers
 * stay numbers (decimals exact, in plain notation); NaN and ±Infinity, dates and times become strings
 * (timestamps ISO-8601, {@code Z} for timestamptz, {@code infinity}/{@code -infinity}, {@code 0044-03-15 BC}
 * style for BC); bytea becomes {@code \x} hex; every other type is its PostgreSQL text.
 */
public final class ChangeRecordJson {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private ChangeRecordJson() {
    }

    public static String toJson(ChangeRecord r) {
        return toJson(null, r);
    }

    /** @param key decoded key record, or null */
    public static String toJson(GenericRecord key, ChangeRecord r) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("op", r.op().name());
            g.writeStringField("table", r.qualifiedTable());
            g.writeStringField("lsn", Lsn.of(r.lsn()).toString());
            g.writeStringField("commit_lsn", Lsn.of(r.commitLsn()).toString());
            g.writeNumberField("xid", r.xid());
            g.writeStringField("commit_time", iso(r.commitTimeMicros(), true));
            g.writeNumberField("seq", r.seq());
            if (key != null) {
                g.writeFieldName("key");
                row(g, key);
            }
            g.writeFieldName("before");
            row(g, r.beforeRecord());
            g.writeFieldName("after");
            row(g, r.afterRecord());
            g.writeArrayFieldStart("unchanged");
            for (String c : r.unchanged()) {
                g.writeString(c);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void row(JsonGenerator g, GenericRecord rec) throws IOException {
        if (rec == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (Schema.Field f : rec.getSchema().getFields()) {
            g.writeFieldName(ChangeRecord.columnName(f));
            value(g, rec.get(f.pos()), f.schema());
        }
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, Object v, Schema fieldSchema) throws IOException {
        if (v == null) {
            g.writeNull();
            return;
        }
        if (v instanceof CharSequence s) {
            g.writeString(s.toString());
            return;
        }
        Schema s = nonNull(fieldSchema, v);
        LogicalType lt = s.getLogicalType();
        String name = lt == null ? "" : lt.getName();
        switch (s.getType()) {
            case BOOLEAN -> g.writeBoolean((Boolean) v);
            case INT -> {
                if (name.equals("date")) {
                    g.writeString(PgTime.formatDate((Integer) v));
                } else {
                    g.writeNumber((Integer) v);
                }
            }
            case LONG -> {
                switch (name) {
                    case "timestamp-micros" -> g.writeString(iso((Long) v, true));
                    case "local-timestamp-micros" -> g.writeString(iso((Long) v, false));
                    case "time-micros" -> g.writeString(PgTime.formatTime((Long) v));
                    default -> g.writeNumber((Long) v);
                }
            }
            case FLOAT -> {
                float f = (Float) v;
                if (Float.isFinite(f)) {
                    g.writeNumber(f);
                } else {
                    g.writeString(Float.toString(f));
                }
            }
            case DOUBLE -> {
                double d = (Double) v;
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeString(Double.toString(d));
                }
            }
            case BYTES -> {
                if (lt instanceof LogicalTypes.Decimal d) {
                    BigDecimal dec = Converters.decimal(v, d.getScale());
                    g.writeNumber(dec);
                } else {
                    g.writeString("\\x" + HexFormat.of().formatHex(Converters.bytes(v)));
                }
            }
            default -> g.writeString(v.toString());
        }
    }

    private static Schema nonNull(Schema s, Object v) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        for (Schema b : s.getTypes()) {
            if (b.getType() != Schema.Type.NULL && b.getType() != Schema.Type.STRING) {
                return b;
            }
        }
        return s.getTypes().get(s.getTypes().size() - 1);
    }

    /** ISO-8601 for AD timestamps ({@code 2024-01-15T10:20:30.5Z}); PostgreSQL text for infinity and BC. */
    static String iso(long micros, boolean withZone) {
        String pg = PgTime.formatTimestamp(micros, withZone);
        if (pg.endsWith("infinity") || pg.endsWith(" BC")) {
            return pg;
        }
        String t = pg.replace(' ', 'T');
        return withZone ? t.substring(0, t.length() - 3) + "Z" : t;
    }

    /** Key or row record as a JSON object (for tools that print keys on their own). */
    public static String rowJson(GenericRecord rec) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            row(g, rec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

}
