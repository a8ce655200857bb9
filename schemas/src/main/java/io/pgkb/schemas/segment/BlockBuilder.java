package io.pgkb.schemas.segment;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The block of a segment being written ({@code SegmentBlock.avsc}): the records' encodings and the row columns,
 * until {@link #writeTo} spools it as one datum. Columns are numbered in order of first use of a (row schema, side)
 * within the block — the reader numbers them the same way while it rebuilds.
 */
final class BlockBuilder {
    /**
     * Each column, and the records, is its own zstd frame (the container adds no codec): measured on pgbench and
     * orders tables, columns compressed apart came to 0.48 of Kafka's bytes where one frame over all of them gave
     * 0.53 (docs/archiver.md).
     */
    static final int COLUMN_LEVEL = 3;
    /**
     * One compression context per thread (a segment builder or a reader), reused: {@code Zstd.compress} sets one up
     * per call, and a block makes one call per column.
     */
    private static final ThreadLocal<ZstdCompressCtx> COMPRESS =
            ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(COLUMN_LEVEL).setContentSize(true));
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);
    /** Buffers grown beyond this by one large record are dropped after the block, so idle partitions stay small. */
    private static final int KEEP_BUFFER = 1 << 20;
    private Buffer records = new Buffer();
    private BinaryEncoder encoder;
    private final List<Buffer> columns = new ArrayList<>(List.of(new Buffer()));
    private final ColumnNumbers numbers = new ColumnNumbers();
    /** Room for one varint of a key's length. */
    private final byte[] keyScratch = new byte[10];
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
        int b = numbers.base(k, side, n);
        while (columns.size() < numbers.used()) {
            columns.add(new Buffer());
        }
        return b;
    }

    /** Appends a record's key to column 0, as a {@code ["null", "bytes"]} union. */
    void key(byte[] key) {
        Buffer keys = columns.get(0);
        if (key == null) {
            keys.write(0);
            return;
        }
        keys.write(2); // union branch 1, zig-zag
        keys.write(keyScratch, 0, AvroBinary.writeVarint(keyScratch, 0, AvroBinary.zigzag(key.length)));
        keys.write(key, 0, key.length);
    }

    void column(int c, byte[] b, int off, int len) {
        columns.get(c).write(b, off, len);
    }

    /** Writes the block as a length-prefixed {@code SegmentBlock} datum and starts a new one. */
    void writeTo(DataOutputStream out) throws IOException {
        int used = numbers.used();
        byte[] scratch = new byte[10];
        byte[][] packed = new byte[used][];
        long length = arrayHeader(used) + 1;
        for (int c = 0; c < used; c++) {
            packed[c] = COMPRESS.get().compress(Arrays.copyOf(columns.get(c).array(), columns.get(c).size()));
            length += AvroBinary.varintSize(AvroBinary.zigzag(packed[c].length)) + packed[c].length;
        }
        // the records as an Avro array (count, items, end), compressed as one more frame
        byte[] array = new byte[arrayHeader(count) + records.size() + 1];
        int n = AvroBinary.writeVarint(array, 0, AvroBinary.zigzag(count));
        System.arraycopy(records.array(), 0, array, n, records.size());
        byte[] recordsFrame = COMPRESS.get().compress(array);
        length += AvroBinary.varintSize(AvroBinary.zigzag(recordsFrame.length)) + recordsFrame.length;
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException("segment block of " + length + " bytes is too large");
        }
        out.writeInt((int) length);
        varint(out, scratch, used);
        for (int c = 0; c < used; c++) {
            varint(out, scratch, packed[c].length);
            out.write(packed[c]);
        }
        out.write(0);
        varint(out, scratch, recordsFrame.length);
        out.write(recordsFrame);
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
        numbers.reset();
        count = 0;
        rawBytes = 0;
    }

    /** A column as {@link #writeTo} stored it; a damaged frame is an IOException. */
    static byte[] decompress(byte[] frame) throws IOException {
        long size = frame.length == 0 ? -1 : Zstd.getFrameContentSize(frame);
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IOException("column is not a zstd frame with its size");
        }
        if (size == 0) {
            return new byte[0];
        }
        try {
            byte[] out = DECOMPRESS.get().decompress(frame, (int) size);
            if (out.length != size) {
                throw new IOException("column decompressed to " + out.length + " bytes, its frame says " + size);
            }
            return out;
        } catch (RuntimeException e) {
            throw new IOException("column does not decompress: " + e.getMessage(), e);
        }
    }

    /** Bytes of an array's leading item count (a non-empty array also ends with a 0 count). */
    private static int arrayHeader(long n) {
        return AvroBinary.varintSize(AvroBinary.zigzag(n));
    }

    private static void varint(DataOutputStream out, byte[] scratch, long n) throws IOException {
        out.write(scratch, 0, AvroBinary.writeVarint(scratch, 0, AvroBinary.zigzag(n)));
    }

    /**
     * A ByteArrayOutputStream whose array can be written out without a copy, and whose writes take no lock (one
     * thread builds a block; ByteArrayOutputStream's synchronized writes showed in the archiver's profile).
     */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(256);
        }

        byte[] array() {
            return buf;
        }

        @Override
        public void write(int b) {
            room(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            room(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void room(int n) {
            if (count + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
            }
        }
    }
}
