package io.pgkb.schemas.segment;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The block of a segment being written ({@code SegmentBlock.avsc}): the records' encodings and the row columns,
 * until {@link #writeTo} spools it as one datum. Columns are numbered in order of first use of a (row schema, side)
 * within the block — the reader numbers them the same way while it rebuilds.
 */
final class BlockBuilder {
    /** Buffers grown beyond this by one large record are dropped after the block, so idle partitions stay small. */
    private static final int KEEP_BUFFER = 1 << 20;
    private Buffer records = new Buffer();
    private BinaryEncoder encoder;
    private final List<Buffer> columns = new ArrayList<>();
    private final Map<Integer, Integer> bases = new HashMap<>();
    private int used;
    private int count;
    private long rawBytes;

    /** The encoder for the next record's fields; call {@link #recordDone} after it. */
    Encoder recordEncoder() {
        encoder = EncoderFactory.get().directBinaryEncoder(records, encoder);
        return encoder;
    }

    void recordDone(long kafkaBytes) {
        count++;
        rawBytes += kafkaBytes;
    }

    int count() {
        return count;
    }

    /** Kafka bytes of the records so far (key, value, headers): the block is written when this reaches the block size. */
    long rawBytes() {
        return rawBytes;
    }

    /** The first of the {@code n} columns of row schema {@code k}'s {@code side} in this block. */
    int columnBase(int k, int side, int n) {
        Integer b = bases.get(2 * k + side);
        if (b == null) {
            b = used;
            used += n;
            while (columns.size() < used) {
                columns.add(new Buffer());
            }
            bases.put(2 * k + side, b);
        }
        return b;
    }

    void column(int c, byte[] b, int off, int len) {
        columns.get(c).write(b, off, len);
    }

    /** Writes the block as a length-prefixed {@code SegmentBlock} datum and starts a new one. */
    void writeTo(DataOutputStream out) throws IOException {
        byte[] scratch = new byte[10];
        long length = arrayHeader(used) + (used == 0 ? 0 : 1) + arrayHeader(count) + records.size() + 1;
        for (int c = 0; c < used; c++) {
            length += AvroBinary.varintSize(AvroBinary.zigzag(columns.get(c).size())) + columns.get(c).size();
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException("segment block of " + length + " bytes is too large");
        }
        out.writeInt((int) length);
        varint(out, scratch, used);
        for (int c = 0; c < used; c++) {
            Buffer col = columns.get(c);
            varint(out, scratch, col.size());
            out.write(col.array(), 0, col.size());
        }
        if (used > 0) {
            out.write(0);
        }
        varint(out, scratch, count);
        out.write(records.array(), 0, records.size());
        out.write(0);
        reset();
    }

    private void reset() {
        for (int c = 0; c < columns.size(); c++) {
            if (columns.get(c).array().length > KEEP_BUFFER) {
                columns.set(c, new Buffer());
            }
            columns.get(c).reset();
        }
        if (records.array().length > KEEP_BUFFER) {
            records = new Buffer();
            encoder = null;
        }
        records.reset();
        bases.clear();
        used = 0;
        count = 0;
        rawBytes = 0;
    }

    /** Bytes of an array's leading item count (a non-empty array also ends with a 0 count). */
    private static int arrayHeader(long n) {
        return AvroBinary.varintSize(AvroBinary.zigzag(n));
    }

    private static void varint(DataOutputStream out, byte[] scratch, long n) throws IOException {
        out.write(scratch, 0, AvroBinary.writeVarint(scratch, 0, AvroBinary.zigzag(n)));
    }

    /** A ByteArrayOutputStream whose array can be written out without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(256);
        }

        byte[] array() {
            return buf;
        }
    }
}
