package io.pgkb.connect.internal;

import io.pgkb.schemas.RowSchemas;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * How one Avro writer schema of pgkb (a change envelope, a key, or any other record) becomes a Kafka Connect
 * schema, and its values Connect values. Built once per writer schema, then used for every record of it.
 *
 * <p>Row and key fields are named by their exact PostgreSQL column ({@code pgkb.column}) and carry the column's
 * type as the schema parameter {@code pgkb.type}. Logical types become Connect's: decimal → {@link Decimal}
 * (with {@code connect.decimal.precision}), date → {@link Date}, timestamp-micros and local-timestamp-micros →
 * {@link Timestamp}, time-micros → {@link Time}; Connect's temporal types hold milliseconds, so microseconds are
 * cut (toward the past). Enums become strings, bytes {@code byte[]}.
 */
public final class ConnectMapping {
    public static final String PARAM_TYPE = RowSchemas.PROP_TYPE;
    static final String PARAM_PRECISION = "connect.decimal.precision";
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private final Node root;

    private ConnectMapping(Node root) {
        this.root = root;
    }

    /** @throws DataException when the schema has a shape pgkb never writes (e.g. a union of two types besides null) */
    public static ConnectMapping of(org.apache.avro.Schema avro) {
        return new ConnectMapping(node(avro, avro.getFullName(), null));
    }

    public Schema schema() {
        return root.schema;
    }

    public Object value(GenericRecord record) {
        return root.convert(record);
    }

    /** A Connect schema and how to turn the Avro generic value of its Avro schema into a Connect value. */
    private abstract static class Node {
        final Schema schema;

        Node(Schema schema) {
            this.schema = schema;
        }

        /** @param v the Avro generic value, never null */
        abstract Object convertNonNull(Object v);

        final Object convert(Object v) {
            return v == null ? null : convertNonNull(v);
        }
    }

    private static final class Plain extends Node {
        private final Function<Object, Object> f;

        Plain(Schema schema, Function<Object, Object> f) {
            super(schema);
            this.f = f;
        }

        @Override
        Object convertNonNull(Object v) {
            return f.apply(v);
        }
    }

    private static final class Record extends Node {
        private final Node[] fields;

        Record(Schema schema, Node[] fields) {
            super(schema);
            this.fields = fields;
        }

        @Override
        Object convertNonNull(Object v) {
            GenericRecord r = (GenericRecord) v;
            Struct s = new Struct(schema);
            List<org.apache.kafka.connect.data.Field> out = schema.fields();
            for (int i = 0; i < fields.length; i++) {
                s.put(out.get(i), fields[i].convert(r.get(i)));
            }
            return s;
        }
    }

    /**
     * {@code where}: the table and column in errors; {@code type}: the column's PostgreSQL type, or null outside
     * rows and keys.
     */
    private static Node node(org.apache.avro.Schema s, String where, String type) {
        return switch (s.getType()) {
            case UNION -> union(s, where, type);
            default -> single(s, false, where, type);
        };
    }

    private static Node union(org.apache.avro.Schema s, String where, String type) {
        List<org.apache.avro.Schema> branches = new ArrayList<>();
        boolean optional = false;
        for (org.apache.avro.Schema b : s.getTypes()) {
            if (b.getType() == org.apache.avro.Schema.Type.NULL) {
                optional = true;
            } else {
                branches.add(b);
            }
        }
        if (branches.size() == 1) {
            return single(branches.get(0), optional, where, type);
        }
        if (branches.size() == 2 && branches.get(0).getLogicalType() instanceof LogicalTypes.Decimal d
                && branches.get(1).getType() == org.apache.avro.Schema.Type.STRING) {
            return decimal(d, optional, where, type);
        }
        throw new DataException(where + ": no Kafka Connect schema for the Avro union " + s);
    }

    private static Node single(org.apache.avro.Schema s, boolean optional, String where, String type) {
        LogicalType lt = s.getLogicalType();
        String logical = lt == null ? "" : lt.getName();
        return switch (s.getType()) {
            case RECORD -> record(s, optional);
            case ENUM -> plain(SchemaBuilder.string(), optional, type, Object::toString);
            case STRING -> plain(SchemaBuilder.string(), optional, type, Object::toString);
            case BOOLEAN -> plain(SchemaBuilder.bool(), optional, type, v -> v);
            case FLOAT -> plain(SchemaBuilder.float32(), optional, type, v -> v);
            case DOUBLE -> plain(SchemaBuilder.float64(), optional, type, v -> v);
            case INT -> logical.equals("date")
                    ? plain(Date.builder(), optional, type, v -> new java.util.Date((Integer) v * MILLIS_PER_DAY))
                    : plain(SchemaBuilder.int32(), optional, type, v -> v);
            case LONG -> switch (logical) {
                case "timestamp-micros", "local-timestamp-micros" ->
                        plain(Timestamp.builder(), optional, type, v -> new java.util.Date(Math.floorDiv((Long) v, 1000L)));
                case "timestamp-millis", "local-timestamp-millis" ->
                        plain(Timestamp.builder(), optional, type, v -> new java.util.Date((Long) v));
                case "time-micros" -> plain(Time.builder(), optional, type, v -> new java.util.Date((Long) v / 1000L));
                default -> plain(SchemaBuilder.int64(), optional, type, v -> v);
            };
            case BYTES -> lt instanceof LogicalTypes.Decimal d ? decimal(d, optional, where, type)
                    : plain(SchemaBuilder.bytes(), optional, type, ConnectMapping::bytes);
            case FIXED -> plain(SchemaBuilder.bytes(), optional, type, v -> ((org.apache.avro.generic.GenericFixed) v).bytes().clone());
            case ARRAY -> array(s, optional, where);
            case MAP -> map(s, optional, where);
            default -> throw new DataException(where + ": no Kafka Connect schema for the Avro type " + s);
        };
    }

    private static Node plain(SchemaBuilder b, boolean optional, String type,
                              Function<Object, Object> f) {
        return new Plain(finish(b, optional, type), f);
    }

    private static Schema finish(SchemaBuilder b, boolean optional, String type) {
        if (type != null) {
            b.parameter(PARAM_TYPE, type);
        }
        return (optional ? b.optional() : b).build();
    }

    private static byte[] bytes(Object v) {
        ByteBuffer buf = ((ByteBuffer) v).duplicate();
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    /** numeric(p,s): a Connect Decimal; NaN and ±Infinity (the string branch) have no Decimal form and fail. */
    private static Node decimal(LogicalTypes.Decimal d, boolean optional, String where, String type) {
        SchemaBuilder b = Decimal.builder(d.getScale()).parameter(PARAM_PRECISION, String.valueOf(d.getPrecision()));
        Conversions.DecimalConversion conversion = new Conversions.DecimalConversion();
        org.apache.avro.Schema bytesSchema = d.addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES));
        return plain(b, optional, type, v -> {
            if (v instanceof CharSequence special) {
                throw new DataException(where + ": the " + (type == null ? "numeric" : type) + " value " + special
                        + " has no Kafka Connect Decimal form (NaN and ±Infinity only exist in PostgreSQL)");
            }
            return conversion.fromBytes((ByteBuffer) v, bytesSchema, d);
        });
    }

    private static Node record(org.apache.avro.Schema s, boolean optional) {
        SchemaBuilder b = SchemaBuilder.struct().name(s.getFullName());
        if (s.getDoc() != null) {
            b.doc(s.getDoc());
        }
        Object table = s.getObjectProp(RowSchemas.PROP_TABLE);
        List<org.apache.avro.Schema.Field> avroFields = s.getFields();
        Node[] nodes = new Node[avroFields.size()];
        for (int i = 0; i < nodes.length; i++) {
            org.apache.avro.Schema.Field f = avroFields.get(i);
            Object column = f.getObjectProp(RowSchemas.PROP_COLUMN);
            Object type = f.getObjectProp(RowSchemas.PROP_TYPE);
            String name = column == null ? f.name() : column.toString();
            String where = table == null ? s.getFullName() + "." + name : "table " + table + " column " + name;
            nodes[i] = node(f.schema(), where, type == null ? null : type.toString());
            b.field(name, nodes[i].schema);
        }
        return new Record((optional ? b.optional() : b).build(), nodes);
    }

    private static Node array(org.apache.avro.Schema s, boolean optional, String where) {
        Node items = node(s.getElementType(), where, null);
        SchemaBuilder b = SchemaBuilder.array(items.schema);
        return plain(b, optional, null, v -> {
            List<?> in = (List<?>) v;
            List<Object> out = new ArrayList<>(in.size());
            for (Object o : in) {
                out.add(items.convert(o));
            }
            return out;
        });
    }

    private static Node map(org.apache.avro.Schema s, boolean optional, String where) {
        Node values = node(s.getValueType(), where, null);
        SchemaBuilder b = SchemaBuilder.map(Schema.STRING_SCHEMA, values.schema);
        return plain(b, optional, null, v -> {
            Map<String, Object> out = new HashMap<>();
            ((Map<?, ?>) v).forEach((k, x) -> out.put(k.toString(), values.convert(x)));
            return out;
        });
    }
}
