package io.pgkb.producer.internal;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.RowSchemas;
import io.pgkb.schemas.ValueConverter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The Avro single-object bytes of one relation version's key and envelope, written straight from the pgoutput text
 * values with Avro's {@link BinaryEncoder}: no GenericRecord per row, no per-row schema lookups. Everything that
 * depends only on the relation version (fingerprint headers, field converters and union branches, key positions,
 * the table name) is resolved once here. The bytes are those of {@code SingleObjectCodec.encode} over the records
 * {@link ChangeEnvelopes} builds (same schemas, same fingerprints, same datum): {@code RelationEncodingTest}
 * compares the two over random relations of every type family. Not thread-safe (it writes into a shared
 * {@link Output}).
 */
final class RelationEncoding {
    /** Writes one non-null column value (union branch index included) from its PostgreSQL text. */
    private interface FieldWriter {
        void write(BinaryEncoder out, String pgText) throws IOException;
    }

    /** Writes a converter's value as the Avro type of the field's non-null branch. */
    private interface ValueWriter {
        void write(BinaryEncoder out, Object avroValue) throws IOException;
    }

    private static final List<String> ENVELOPE_FIELDS = List.of("op", "before", "after", "unchanged", "source");
    private static final List<String> SOURCE_FIELDS = List.of("lsn", "commit_lsn", "xid", "commit_time", "seq", "table");

    private final ChangeEnvelopes envelopes;
    private final byte[] keyHeader;
    private final byte[] valueHeader;
    private final FieldWriter[] fields;
    private final int[] keyPositions;
    private final int[] opIndex = new int[Change.Op.values().length];
    private final byte[] tableUtf8;
    private final Output output;

    /**
     * The buffer every relation version of one stream writes into, copied out once per record. After a record larger
     * than {@link #KEEP_BYTES} it is dropped, so one huge row does not pin its size for the rest of the session.
     */
    static final class Output {
        static final int KEEP_BYTES = 1 << 20;
        private ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        private BinaryEncoder encoder;
        private boolean flushed; // false before the first record, after a record that failed half-way, after a drop

        BinaryEncoder start(byte[] header) throws IOException {
            if (!flushed) {
                // an exception may have left part of a failed record in the encoder: configuring it again flushes
                // that into the old buffer, which is emptied only then
                encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
            }
            buffer.reset();
            flushed = false;
            encoder.writeFixed(header);
            return encoder;
        }

        byte[] finish() throws IOException {
            encoder.flush();
            byte[] bytes = buffer.toByteArray();
            if (bytes.length > KEEP_BYTES) {
                buffer = new ByteArrayOutputStream(256);
            } else {
                flushed = true;
            }
            return bytes;
        }
    }

    RelationEncoding(ChangeEnvelopes envelopes, Output output) {
        this(envelopes, output, envelopes.schemas().key() == null ? null : SchemaFraming.singleObjectHeader(envelopes.schemas().key()),
                SchemaFraming.singleObjectHeader(envelopes.schemas().value()));
    }

    /** @param keyHeader what keys start with (null without a key schema); valueHeader: what values start with */
    RelationEncoding(ChangeEnvelopes envelopes, Output output, byte[] keyHeader, byte[] valueHeader) {
        this.envelopes = envelopes;
        this.output = output;
        Schema value = envelopes.schemas().value();
        Schema key = envelopes.schemas().key();
        Schema row = envelopes.schemas().row();
        requireFields(value, ENVELOPE_FIELDS);
        requireFields(RowSchemas.SOURCE, SOURCE_FIELDS);
        for (Change.Op op : Change.Op.values()) {
            opIndex[op.ordinal()] = RowSchemas.OP.getEnumOrdinal(op.name());
        }
        this.valueHeader = valueHeader;
        this.keyHeader = keyHeader;
        List<ColumnDef> columns = envelopes.relation().columns();
        fields = new FieldWriter[columns.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = fieldWriter(row.getFields().get(i).schema(), PgTypes.converter(columns.get(i)));
        }
        if (key == null) {
            keyPositions = null;
        } else {
            keyPositions = new int[key.getFields().size()];
            for (int i = 0; i < keyPositions.length; i++) {
                keyPositions[i] = row.getField(key.getFields().get(i).name()).pos();
            }
        }
        tableUtf8 = envelopes.relation().table().qualified().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Key (null for TRUNCATE and for tables without key columns) and value of one change.
     *
     * @throws IllegalArgumentException naming the column when a value does not parse as its type, with the message
     *                                  {@link ChangeEnvelopes#row} gives
     */
    RecordEncoder.Encoded encode(Change c) {
        TupleData before = c.before();
        TupleData after = c.after();
        checkTuple(before);
        checkTuple(after);
        try {
            BinaryEncoder out = output.start(valueHeader);
            out.writeEnum(opIndex[c.op().ordinal()]);
            writeOptionalRow(out, before);
            writeOptionalRow(out, after);
            List<String> unchanged = c.unchanged();
            out.writeArrayStart();
            out.setItemCount(unchanged.size());
            for (String name : unchanged) {
                out.startItem();
                out.writeString(name);
            }
            out.writeArrayEnd();
            out.writeLong(c.lsn());
            out.writeLong(c.txn().commitLsn());
            out.writeLong(c.txn().xid());
            out.writeLong(c.txn().commitTimeMicros());
            out.writeLong(c.seq());
            out.writeBytes(tableUtf8); // an Avro string is written exactly like bytes: length, then UTF-8
            byte[] value = output.finish();
            TupleData keyRow = after != null ? after : before;
            if (c.op() == Change.Op.TRUNCATE || keyHeader == null || keyRow == null) {
                return new RecordEncoder.Encoded(null, value);
            }
            out = output.start(keyHeader);
            for (int pos : keyPositions) {
                writeField(out, keyRow, pos);
            }
            return new RecordEncoder.Encoded(output.finish(), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory buffer does not fail
        }
    }

    /** The checks of the generic path, in its order: binary values, then the column count. */
    private void checkTuple(TupleData t) {
        if (t == null) {
            return;
        }
        for (int i = 0; i < t.size(); i++) {
            if (t.kind(i) == TupleData.Kind.BINARY) {
                throw new IllegalArgumentException("column " + i + " arrived in binary format, which pgkb never requests");
            }
        }
        if (t.size() != fields.length) {
            throw new IllegalArgumentException(envelopes.relation().table() + ": " + t.size() + " values for "
                    + fields.length + " columns");
        }
    }

    private void writeOptionalRow(BinaryEncoder out, TupleData t) throws IOException {
        if (t == null) {
            out.writeIndex(0);
            return;
        }
        out.writeIndex(1);
        for (int i = 0; i < fields.length; i++) {
            writeField(out, t, i);
        }
    }

    private void writeField(BinaryEncoder out, TupleData t, int i) throws IOException {
        String text = t.text(i);
        if (text == null) {
            out.writeIndex(0);
            return;
        }
        try {
            fields[i].write(out, text);
        } catch (RuntimeException e) {
            ColumnDef c = envelopes.relation().columns().get(i);
            throw new IllegalArgumentException(envelopes.relation().table() + " column " + c.name() + " ("
                    + c.typeName() + "): " + e.getMessage(), e);
        }
    }


    /**
     * The writer of one field of {@link PgTypes#fieldSchema}: {@code ["null", T]}, or for a numeric with a typmod
     * {@code ["null", decimal, "string"]} where the converter's value type picks the branch (as
     * {@code GenericData.resolveUnion} does: CharSequence → string, ByteBuffer → bytes).
     */
    private static FieldWriter fieldWriter(Schema field, ValueConverter conv) {
        if (field.getType() != Schema.Type.UNION || field.getTypes().get(0).getType() != Schema.Type.NULL) {
            throw new IllegalStateException("not a pgkb field schema: " + field);
        }
        List<Schema> branches = field.getTypes();
        if (branches.size() == 3 && branches.get(1).getType() == Schema.Type.BYTES
                && branches.get(2).getType() == Schema.Type.STRING) {
            return (out, t) -> {
                Object v = conv.toAvro(t);
                if (v instanceof CharSequence s) {
                    out.writeIndex(2);
                    out.writeString(s.toString());
                } else {
                    out.writeIndex(1);
                    out.writeBytes((ByteBuffer) v);
                }
            };
        }
        if (branches.size() != 2) {
            throw new IllegalStateException("not a pgkb field schema: " + field);
        }
        ValueWriter value = switch (branches.get(1).getType()) {
            case BOOLEAN -> (out, v) -> out.writeBoolean((Boolean) v);
            case INT -> (out, v) -> out.writeInt((Integer) v);
            case LONG -> (out, v) -> out.writeLong((Long) v);
            case FLOAT -> (out, v) -> out.writeFloat((Float) v);
            case DOUBLE -> (out, v) -> out.writeDouble((Double) v);
            case BYTES -> (out, v) -> out.writeBytes((ByteBuffer) v);
            case STRING -> (out, v) -> out.writeString(v.toString());
            default -> throw new IllegalStateException("not a pgkb field schema: " + field);
        };
        return (out, t) -> {
            Object v = conv.toAvro(t);
            out.writeIndex(1);
            value.write(out, v);
        };
    }

    /** {@code C3 01} and the schema's CRC-64-AVRO fingerprint, little-endian (Avro single-object encoding). */
    private static void requireFields(Schema record, List<String> names) {
        List<String> actual = record.getFields().stream().map(Schema.Field::name).toList();
        if (!actual.equals(names)) {
            throw new IllegalStateException(record.getFullName() + " has fields " + actual + ", the encoder writes " + names);
        }
    }
}
