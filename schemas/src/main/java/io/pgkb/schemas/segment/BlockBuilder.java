package io.pgkb.schemas.segment;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    /**
     * Where a builder thread compresses a block's frames before they are written (the block's length prefix needs
     * their sizes first); one per thread, not per open segment, so 200 idle partitions hold none.
     */
    private static final ThreadLocal<byte[][]> FRAMES = ThreadLocal.withInitial(() -> new byte[1][0]);
    /** Room before the records for the array's item count, written when the block is complete. */
    private static final int RECORDS_START = 10;
    private static final byte[] NO_COUNT_YET = new byte[RECORDS_START];
    private BinaryBuffer records = recordsBuffer();
    private final List<BinaryBuffer> columns = new ArrayList<>(List.of(new BinaryBuffer()));
    private final ColumnNumbers numbers = new ColumnNumbers();
    private int count;
    private long rawBytes;

    /** Where the next record's fields are written; call {@link #recordDone} after it. */
    BinaryBuffer records() {
        return records;
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
            columns.add(new BinaryBuffer());
        }
        return b;
    }

    /** Appends a record's key to column 0, as a {@code ["null", "bytes"]} union. */
    void key(byte[] key) {
        columns.get(0).writeNullableBytes(key, 0, key == null ? 0 : key.length);
    }

    void column(int c, byte[] b, int off, int len) {
        columns.get(c).write(b, off, len);
    }

    /** Writes the block as a length-prefixed {@code SegmentBlock} datum and starts a new one. */
    void writeTo(DataOutputStream out) throws IOException {
        int used = numbers.used();
        // the records as an Avro array (count, items, end), compressed as one more frame after the columns
        int from = RECORDS_START - AvroBinary.varintSize(AvroBinary.zigzag(count));
        AvroBinary.writeVarint(records.array(), from, AvroBinary.zigzag(count));
        records.write(0);
        int[] ends = new int[used + 1];
        int pos = 0;
        for (int c = 0; c <= used; c++) {
            pos = c < used ? compress(columns.get(c), 0, pos) : compress(records, from, pos);
            ends[c] = pos;
        }
        long length = arrayHeader(used) + 1;
        for (int c = 0; c <= used; c++) {
            int size = ends[c] - (c == 0 ? 0 : ends[c - 1]);
            length += AvroBinary.varintSize(AvroBinary.zigzag(size)) + size;
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException("segment block of " + length + " bytes is too large");
        }
        byte[] frames = FRAMES.get()[0];
        byte[] scratch = new byte[10];
        out.writeInt((int) length);
        varint(out, scratch, used);
        for (int c = 0; c <= used; c++) {
            if (c == used) {
                out.write(0); // end of the columns array; the records' frame follows
            }
            int start = c == 0 ? 0 : ends[c - 1];
            varint(out, scratch, ends[c] - start);
            out.write(frames, start, ends[c] - start);
        }
        if (frames.length > 4 * KEEP_BUFFER) {
            FRAMES.get()[0] = new byte[0];
        }
        reset();
    }

    /**
     * Compresses {@code data} from {@code from} to its end as one frame into this thread's frame buffer at {@code
     * pos}; returns the position after the frame.
     */
    private static int compress(BinaryBuffer data, int from, int pos) {
        byte[] src = data.array();
        int n = data.size() - from;
        byte[][] holder = FRAMES.get();
        long bound = Zstd.compressBound(n);
        if (pos + bound > holder[0].length) {
            holder[0] = Arrays.copyOf(holder[0], (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * holder[0].length, pos + bound)));
        }
        return pos + COMPRESS.get().compressByteArray(holder[0], pos, holder[0].length - pos, src, from, n);
    }

    private void reset() {
        for (int c = 0; c < columns.size(); c++) {
            if (columns.get(c).array().length > KEEP_BUFFER) {
                columns.set(c, new BinaryBuffer());
            }
            columns.get(c).reset();
        }
        if (records.array().length > KEEP_BUFFER) {
            records = recordsBuffer();
        } else {
            records.reset();
            records.write(NO_COUNT_YET, 0, RECORDS_START);
        }
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

    private static BinaryBuffer recordsBuffer() {
        BinaryBuffer b = new BinaryBuffer();
        b.write(NO_COUNT_YET, 0, RECORDS_START);
        return b;
    }

    /** Bytes of an array's leading item count (a non-empty array also ends with a 0 count). */
    private static int arrayHeader(long n) {
        return AvroBinary.varintSize(AvroBinary.zigzag(n));
    }

    private static void varint(DataOutputStream out, byte[] scratch, long n) throws IOException {
        out.write(scratch, 0, AvroBinary.writeVarint(scratch, 0, AvroBinary.zigzag(n)));
    }
}
