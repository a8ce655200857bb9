package io.pgkb.restorer.internal;

import io.pgkb.schemas.BinaryCursor;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.CodecException;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.ValueConverter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * How to read the Avro binary datum of one writer schema (a change envelope) straight into a {@link Change}: the
 * op's enum symbols, per column the union branches and the {@link ValueConverter} that turns the value into
 * PostgreSQL text, the row shape and the positions of {@code unchanged} names, all found once per schema. The
 * per-record path then reads the Avro binary with {@link BinaryCursor}, with no GenericRecord, Utf8 or name lookup per
 * change. It gives exactly what Avro's GenericDatumReader and the converters give
 * ({@code ChangeDecodingTest} compares the two over random schemas of every type family); the mirror image of the
 * producer's {@code RelationEncoding}. Immutable once built; what reading needs per record is in the {@link BinaryCursor}.
 */
final class EnvelopePlan {
    private static final List<String> ENVELOPE_FIELDS = List.of("op", "before", "after", "unchanged", "source");
    private static final List<String> SOURCE_FIELDS = List.of("lsn", "commit_lsn", "xid", "commit_time", "seq", "table");

    private final RowShape shape;
    private final Change.Op[] ops;
    private final Column[] columns;
    private final Map<String, Integer> columnIndex = new HashMap<>();

    /** @throws CodecException when the schema is not a pgkb change envelope */
    EnvelopePlan(Schema envelope) {
        requireFields(envelope, ENVELOPE_FIELDS);
        Schema op = envelope.getField("op").schema();
        if (op.getType() != Schema.Type.ENUM) {
            throw notEnvelope(envelope, "op is not an enum");
        }
        ops = new Change.Op[op.getEnumSymbols().size()];
        for (int i = 0; i < ops.length; i++) {
            String symbol = op.getEnumSymbols().get(i);
            for (Change.Op o : Change.Op.values()) {
                if (o.name().equals(symbol)) {
                    ops[i] = o;
                }
            }
        }
        Schema row = ChangeRecord.rowSchemaOf(envelope);
        for (String f : List.of("before", "after")) {
            List<Schema> branches = envelope.getField(f).schema().getTypes();
            if (branches.size() != 2 || branches.get(0).getType() != Schema.Type.NULL || !branches.get(1).equals(row)) {
                throw notEnvelope(envelope, f + " is not [\"null\", the row record]");
            }
        }
        Schema unchanged = envelope.getField("unchanged").schema();
        if (unchanged.getType() != Schema.Type.ARRAY || unchanged.getElementType().getType() != Schema.Type.STRING) {
            throw notEnvelope(envelope, "unchanged is not an array of strings");
        }
        Schema source = envelope.getField("source").schema();
        requireFields(source, SOURCE_FIELDS);
        for (Schema.Field f : source.getFields()) {
            Schema.Type want = f.name().equals("table") ? Schema.Type.STRING : Schema.Type.LONG;
            if (f.schema().getType() != want) {
                throw notEnvelope(envelope, "source." + f.name() + " is not " + want);
            }
        }
        shape = ChangeDecoding.shapeOf(row);
        columns = new Column[row.getFields().size()];
        for (int i = 0; i < columns.length; i++) {
            Schema.Field f = row.getFields().get(i);
            columns[i] = new Column(f.schema(), PgTypes.converter(f), shape.columns().get(i));
            columnIndex.putIfAbsent(shape.columns().get(i).name(), i);
        }
    }

    /**
     * Reads one datum (after the single-object header).
     *
     * @throws IOException ({@link Corrupt} for what this plan checks itself) when the bytes do not hold a
     *                      datum of this schema
     */
    Change read(BinaryCursor in) throws IOException {
        return read(in, null, null);
    }

    /**
     * Reads one datum; with {@code keysOnly}, the new row of an INSERT or UPDATE that sent every column is decoded
     * only in those columns (the others are skipped, their branch and length checked) and kept as {@code lazy}.
     *
     * @param keysOnly per column, whether to decode it now (see {@link #keyMask}); null: decode every value
     * @param lazy     the record's bytes, attached to the change when its row is kept undecoded
     */
    Change read(BinaryCursor in, boolean[] keysOnly, LazyRow lazy) throws IOException {
        int symbol = in.readEnum();
        Change.Op op = symbol >= 0 && symbol < ops.length ? ops[symbol] : null;
        if (op == null) {
            throw new Corrupt("op enum index " + symbol + " is not an op this restorer knows");
        }
        // with keysOnly, an INSERT's or UPDATE's new row is read key columns only, and kept if nothing needs it whole
        boolean keysOnlyRow = keysOnly != null && (op == Change.Op.INSERT || op == Change.Op.UPDATE);
        String[] before;
        String[] after;
        if (op == Change.Op.TRUNCATE) {
            // the generic path decoded but never converted these: read them unconverted, so they fail just as there
            skipOptionalRow(in);
            skipOptionalRow(in);
            before = null;
            after = null;
        } else {
            before = readOptionalRow(in, null);
            after = readOptionalRow(in, keysOnlyRow ? keysOnly : null);
        }
        boolean partial = keysOnlyRow && after != null;
        boolean anyUnchanged = false;
        boolean[] unchanged = null;
        for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
            if (n < 0) {
                throw new Corrupt("negative item count " + n + " of unchanged");
            }
            if (unchanged == null) {
                unchanged = new boolean[columns.length];
            }
            for (long i = 0; i < n; i++) {
                Integer column = columnIndex.get(readString(in));
                if (column != null) {
                    unchanged[column] = true;
                    anyUnchanged = true;
                }
            }
        }
        in.readLong(); // lsn
        long commitLsn = in.readLong();
        in.readLong(); // xid
        in.readLong(); // commit_time
        long seq = in.readLong();
        in.skip(length(in)); // table, a string
        if (!partial) {
            return new Change(op, commitLsn, seq, shape, before, after, unchanged);
        }
        if (anyUnchanged) {
            // the fold merges these columns into the row it holds: it needs every value now (rare: unchanged TOAST)
            return new Change(op, commitLsn, seq, shape, before, lazy.values(), unchanged);
        }
        return new Change(op, commitLsn, seq, shape, before, after, unchanged, lazy);
    }

    /**
     * The new row of a datum {@link #read(BinaryCursor, boolean[], LazyRow)} kept undecoded, decoded whole: a method of
     * its own, so that the JIT compiles the fold's key-only reading and this one (on the thread writing the rows) each
     * for its own use instead of recompiling one for both.
     */
    String[] readAfter(BinaryCursor in) throws IOException {
        in.readEnum(); // INSERT or UPDATE: checked by the read that kept the row
        skipOptionalRow(in);
        return readOptionalRow(in, null);
    }

    /**
     * Per column of the row, whether it is one of {@code primaryKey}; null when the key is empty or a key column is not
     * in this schema (every value is then decoded, and the fold reports the missing column).
     */
    boolean[] keyMask(List<String> primaryKey) {
        if (primaryKey.isEmpty()) {
            return null;
        }
        boolean[] mask = new boolean[columns.length];
        for (String k : primaryKey) {
            Integer i = columnIndex.get(k);
            if (i == null) {
                return null;
            }
            mask[i] = true;
        }
        return mask;
    }

    /** @param only per column, whether to decode it; the others are skipped and left null. Null: every column */
    private String[] readOptionalRow(BinaryCursor in, boolean[] only) throws IOException {
        int branch = in.readIndex();
        if (branch == 0) {
            return null;
        }
        if (branch != 1) {
            throw new Corrupt("union index " + branch + " of a row");
        }
        String[] out = new String[columns.length];
        for (int i = 0; i < out.length; i++) {
            if (only == null || only[i]) {
                out[i] = columns[i].text(this, in);
            } else {
                columns[i].skip(this, in);
            }
        }
        return out;
    }

    private void skipOptionalRow(BinaryCursor in) throws IOException {
        int branch = in.readIndex();
        if (branch == 1) {
            for (Column c : columns) {
                c.skip(this, in);
            }
        } else if (branch != 0) {
            throw new Corrupt("union index " + branch + " of a row");
        }
    }

    /** The length of a string or bytes value; one longer than the datum is corrupt, before anything is allocated. */
    private static int length(BinaryCursor in) throws IOException {
        long n = in.readLong();
        if (n < 0 || n > in.length()) {
            throw new Corrupt("length " + n + " of a string or bytes value, the record has " + in.length() + " bytes");
        }
        return (int) n;
    }

    /** An Avro string: its length, then UTF-8 (decoded as {@code Utf8.toString()} does). */
    private String readString(BinaryCursor in) throws IOException {
        return in.utf8(length(in));
    }

    private ByteBuffer readBytes(BinaryCursor in) throws IOException {
        return ByteBuffer.wrap(in.bytes(length(in)));
    }

    /** One column of the row record: the Avro types of its union branches and its converter to PostgreSQL text. */
    private static final class Column {
        private final Schema.Type[] branches; // null: a bare (non-union) field of type bare
        private final Schema.Type bare;
        /** the branch whose text is the value's own form (see {@link #ownText(Schema)}), else null */
        private final Schema.Type ownText;
        private final ValueConverter converter;
        private final RowShape.Column column;

        Column(Schema field, ValueConverter converter, RowShape.Column column) {
            this.converter = converter;
            this.column = column;
            if (field.getType() == Schema.Type.UNION) {
                branches = field.getTypes().stream().map(b -> supported(b, column)).toArray(Schema.Type[]::new);
                bare = null;
            } else {
                branches = null;
                bare = supported(field, column);
            }
            ownText = ownText(field);
        }

        String text(EnvelopePlan p, BinaryCursor in) throws IOException {
            Schema.Type type = branch(in);
            if (type == ownText) {
                // the converter's text of these is the value's own decimal or string form: no boxing, no call
                return switch (type) {
                    case INT -> Integer.toString(in.readInt());
                    case LONG -> Long.toString(in.readLong());
                    default -> p.readString(in);
                };
            }
            Object v = p.value(type, in);
            if (v == null) {
                return null;
            }
            try {
                return converter.toPgText(v);
            } catch (RuntimeException e) {
                throw new Corrupt(this + ": " + e, e);
            }
        }

        /**
         * Passes the value with the checks {@link #text} makes on its bytes (branch, length) but without decoding or
         * converting it.
         */
        void skip(EnvelopePlan p, BinaryCursor in) throws IOException {
            Schema.Type type = branch(in);
            switch (type) {
                case STRING, BYTES -> in.skip(length(in));
                case INT -> in.readInt();
                case LONG -> in.readLong();
                default -> p.value(type, in);
            }
        }

        private Schema.Type branch(BinaryCursor in) throws IOException {
            if (branches == null) {
                return bare;
            }
            int b = in.readIndex();
            if (b < 0 || b >= branches.length) {
                throw new Corrupt(this + ": union index " + b + " of " + branches.length + " branches");
            }
            return branches[b];
        }

        @Override
        public String toString() {
            return "column " + column.name() + " (" + column.type() + ")";
        }

        /**
         * The branch of a field schema as {@link PgTypes#fieldSchema} makes them whose converter gives the value's
         * own text: {@code ["null", int|long]} without a logical type ({@code toString}), {@code ["null", string]}
         * and the NaN/±Infinity string of {@code ["null", decimal, string]}. Null for every other shape.
         */
        private static Schema.Type ownText(Schema field) {
            List<Schema> b = field.getType() == Schema.Type.UNION ? field.getTypes() : List.of();
            if (b.size() == 2 && b.get(0).getType() == Schema.Type.NULL && b.get(1).getLogicalType() == null
                    && (b.get(1).getType() == Schema.Type.INT || b.get(1).getType() == Schema.Type.LONG)) {
                return b.get(1).getType();
            }
            boolean string = b.size() == 2 && b.get(0).getType() == Schema.Type.NULL && b.get(1).getType() == Schema.Type.STRING;
            boolean numeric = b.size() == 3 && b.get(0).getType() == Schema.Type.NULL
                    && b.get(1).getLogicalType() instanceof LogicalTypes.Decimal && b.get(2).getType() == Schema.Type.STRING;
            return string || numeric ? Schema.Type.STRING : null;
        }

        private static Schema.Type supported(Schema s, RowShape.Column column) {
            return switch (s.getType()) {
                case NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, BYTES -> s.getType();
                default -> throw new CodecException("field of column " + column.name() + " has Avro type " + s.getType()
                        + ", which is not in pgkb's type mapping");
            };
        }
    }

    /** A value of an Avro type as Avro's GenericDatumReader gives it (no logical-type conversions; strings as String). */
    private Object value(Schema.Type type, BinaryCursor in) throws IOException {
        return switch (type) {
            case NULL -> null;
            case BOOLEAN -> in.readBoolean();
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case STRING -> readString(in);
            default -> readBytes(in);
        };
    }

    /** Bytes that are no datum of the writer schema, found by a check of this reader (not by Avro's decoder). */
    static final class Corrupt extends IOException {
        Corrupt(String message) {
            super(message);
        }

        Corrupt(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void requireFields(Schema record, List<String> names) {
        List<String> actual = new ArrayList<>();
        if (record.getType() == Schema.Type.RECORD) {
            record.getFields().forEach(f -> actual.add(f.name()));
        }
        if (!actual.equals(names)) {
            throw new CodecException("not a pgkb change envelope: schema " + record.getFullName() + " has fields "
                    + actual + ", expected " + names);
        }
    }

    private static CodecException notEnvelope(Schema envelope, String what) {
        return new CodecException("not a pgkb change envelope: schema " + envelope.getFullName() + ": " + what);
    }
}
