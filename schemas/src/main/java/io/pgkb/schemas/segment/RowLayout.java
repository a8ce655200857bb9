package io.pgkb.schemas.segment;

import static io.pgkb.schemas.segment.AvroBinary.BAD;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A change value's writer schema as segment format 2 cuts it: {@code op, before, after, unchanged} (then the source
 * fields, which {@link SourceTail} handles), {@code before} and {@code after} being {@code ["null", Row]}. The
 * fields of each row go to the block's columns; op, the two union branches and unchanged stay with the record as
 * its "skeleton". Writer and reader cut with the same code on the same schema, so they cut in the same places.
 */
final class RowLayout {
    static final int BEFORE = 0;
    static final int AFTER = 1;
    /** {@code C3 01} + the 8 fingerprint bytes, exactly as the values carry them. */
    final byte[] header;
    final Schema schema;
    /** Per side ({@link #BEFORE}, {@link #AFTER}) the row's field schemas. */
    final Schema[][] fields;
    private final Schema unchanged;

    private RowLayout(byte[] header, Schema schema, Schema[][] fields, Schema unchanged) {
        this.header = header;
        this.schema = schema;
        this.fields = fields;
        this.unchanged = unchanged;
    }

    /** The layout of an envelope schema, or null if the schema does not have the envelope's shape. */
    static RowLayout of(Schema envelope, byte[] header) {
        if (envelope == null || envelope.getType() != Schema.Type.RECORD || envelope.getFields().size() != 5
                || envelope.getFields().get(0).schema().getType() != Schema.Type.ENUM
                || envelope.getFields().get(4).schema().getType() != Schema.Type.RECORD) {
            return null;
        }
        Schema[][] fields = new Schema[2][];
        for (int side = BEFORE; side <= AFTER; side++) {
            Schema u = envelope.getFields().get(1 + side).schema();
            if (u.getType() != Schema.Type.UNION || u.getTypes().size() != 2 || u.getTypes().get(0).getType() != Schema.Type.NULL
                    || u.getTypes().get(1).getType() != Schema.Type.RECORD) {
                return null;
            }
            List<Schema.Field> fs = u.getTypes().get(1).getFields();
            fields[side] = new Schema[fs.size()];
            for (int i = 0; i < fs.size(); i++) {
                fields[side][i] = fs.get(i).schema();
            }
        }
        return new RowLayout(header.clone(), envelope, fields, envelope.getFields().get(3).schema());
    }

    /**
     * Cuts {@code value[0, limit)} (the value without its source fields) into skeleton and row fields. Returns false
     * if the bytes do not follow the schema exactly to {@code limit}; {@code cut} is then meaningless.
     */
    boolean cut(byte[] value, int limit, Cut cut) {
        int pos = AvroBinary.varintEnd(value, SourceTail.SINGLE_OBJECT_HEADER, limit);
        cut.opEnd = pos;
        for (int side = BEFORE; side <= AFTER && pos != BAD; side++) {
            int start = pos;
            pos = AvroBinary.varintEnd(value, pos, limit);
            if (pos == BAD) {
                return false;
            }
            long branch = AvroBinary.unzigzag(AvroBinary.varintValue(value, start, pos));
            if (branch != 0 && branch != 1) {
                return false;
            }
            cut.branchStart[side] = start;
            cut.branchEnd[side] = pos;
            cut.present[side] = branch == 1;
            if (branch == 1) {
                int[] ends = cut.ends(side, fields[side].length);
                for (int i = 0; i < fields[side].length && pos != BAD; i++) {
                    pos = AvroBinary.skip(fields[side][i], value, pos, limit);
                    ends[i] = pos;
                }
            }
        }
        if (pos == BAD) {
            return false;
        }
        cut.unchangedStart = pos;
        return AvroBinary.skip(unchanged, value, pos, limit) == limit;
    }

    /** Where a value was cut; reused from record to record. */
    static final class Cut {
        int opEnd;
        final int[] branchStart = new int[2];
        final int[] branchEnd = new int[2];
        final boolean[] present = new boolean[2];
        private final int[][] ends = new int[2][];
        int unchangedStart;

        int[] ends(int side, int n) {
            if (ends[side] == null || ends[side].length < n) {
                ends[side] = new int[n];
            }
            return ends[side];
        }
    }
}
