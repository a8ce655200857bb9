package io.pgkb.schemas;

import io.pgkb.schemas.internal.Converters;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * The PostgreSQL → Avro type mapping (README "Design"). Typed Avro for the common built-in types, the
 * PostgreSQL text form as string for everything else. A converter can be chosen from a column definition
 * (producer) or from a field's Avro schema alone (restorer, consumers), and both give the same converter.
 */
public final class PgTypes {
    public static final int BOOL = 16;
    public static final int BYTEA = 17;
    public static final int NAME = 19;
    public static final int INT8 = 20;
    public static final int INT2 = 21;
    public static final int INT4 = 23;
    public static final int TEXT = 25;
    public static final int OID = 26;
    public static final int FLOAT4 = 700;
    public static final int FLOAT8 = 701;
    public static final int BPCHAR = 1042;
    public static final int VARCHAR = 1043;
    public static final int DATE = 1082;
    public static final int TIME = 1083;
    public static final int TIMESTAMP = 1114;
    public static final int TIMESTAMPTZ = 1184;
    public static final int NUMERIC = 1700;
    public static final int UUID = 2950;

    private static final int VARHDRSZ = 4;

    private PgTypes() {
    }

    /** The non-null Avro schema of a column's values. */
    public static Schema valueSchema(ColumnDef column) {
        return switch (column.typeOid()) {
            case BOOL -> Schema.create(Schema.Type.BOOLEAN);
            case INT2, INT4 -> Schema.create(Schema.Type.INT);
            case INT8, OID -> Schema.create(Schema.Type.LONG);
            case FLOAT4 -> Schema.create(Schema.Type.FLOAT);
            case FLOAT8 -> Schema.create(Schema.Type.DOUBLE);
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case TIMESTAMP -> LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
            case TIMESTAMPTZ -> LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
            case TIME -> LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG));
            case UUID -> LogicalTypes.uuid().addToSchema(Schema.create(Schema.Type.STRING));
            case BYTEA -> Schema.create(Schema.Type.BYTES);
            default -> Schema.create(Schema.Type.STRING);
        };
    }

    /**
     * The field schema of a column: {@code ["null", T]}, or {@code ["null", decimal(p,s), "string"]} for a numeric
     * with a typmod Avro can express (the string branch carries NaN and ±Infinity only).
     */
    public static Schema fieldSchema(ColumnDef column) {
        Schema nul = Schema.create(Schema.Type.NULL);
        if (column.typeOid() == NUMERIC) {
            int[] ps = numericPrecisionScale(column.typmod());
            if (ps != null) {
                Schema dec = LogicalTypes.decimal(ps[0], ps[1]).addToSchema(Schema.create(Schema.Type.BYTES));
                return Schema.createUnion(List.of(nul, dec, Schema.create(Schema.Type.STRING)));
            }
        }
        return Schema.createUnion(List.of(nul, valueSchema(column)));
    }

    /** Precision and scale of a numeric typmod, or null when unconstrained or not expressible as Avro decimal. */
    static int[] numericPrecisionScale(int typmod) {
        if (typmod < VARHDRSZ) {
            return null;
        }
        int t = typmod - VARHDRSZ;
        int precision = (t >> 16) & 0xFFFF;
        // PostgreSQL 15+ stores the scale as an 11-bit signed value (negative scales are allowed there)
        int scale = ((t & 0x7FF) ^ 1024) - 1024;
        if (precision < 1 || scale < 0 || scale > precision) {
            return null;
        }
        return new int[] {precision, scale};
    }

    public static ValueConverter converter(ColumnDef column) {
        return converter(fieldSchema(column));
    }

    public static ValueConverter converter(Schema.Field field) {
        return converter(field.schema());
    }

    /** The converter of a field schema as {@link #fieldSchema} makes it (a union with null, or a bare type). */
    public static ValueConverter converter(Schema schema) {
        Schema s = schema;
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("field schema has no non-null branch: " + schema));
        }
        LogicalType lt = s.getLogicalType();
        String name = lt == null ? "" : lt.getName();
        return switch (s.getType()) {
            case BOOLEAN -> Converters.BOOL;
            case INT -> name.equals("date") ? Converters.DATE : Converters.INT;
            case LONG -> switch (name) {
                case "timestamp-micros" -> Converters.TIMESTAMPTZ;
                case "local-timestamp-micros" -> Converters.TIMESTAMP;
                case "time-micros" -> Converters.TIME;
                default -> Converters.LONG;
            };
            case FLOAT -> Converters.FLOAT;
            case DOUBLE -> Converters.DOUBLE;
            case BYTES -> lt instanceof LogicalTypes.Decimal d ? Converters.numeric(d.getScale()) : Converters.BYTEA;
            case STRING -> Converters.TEXT;
            default -> throw new IllegalArgumentException("not a pgkb field schema: " + schema);
        };
    }
}
