package io.pgkb.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads Avro binary encoding from a byte array, with exactly the results and the failures of Avro's
 * {@code BinaryDecoder} over the same bytes (varints of at most 5 / 10 bytes, an int's fifth byte truncated as
 * Avro truncates it, a boolean true only for 1, block counts with their optional byte size, EOF past the end);
 * {@code BinaryCursorTest} checks that on random and damaged input against Avro's decoder.
 *
 * <p>Why not Avro's decoder: the restorer decodes change values and segment records a million times in a JVM that
 * was often started for that one restore. Avro's unrolled varint reader deoptimizes as soon as keys and LSNs outgrow
 * the varint lengths of the first records, and every method that inlined it is compiled again; a loop over the array
 * is less code for the JIT and has no such branch. Strings and bytes are also taken straight from the array, without
 * an intermediate buffer. Not thread-safe; {@link #reset} makes it read another array.
 */
public final class BinaryCursor {
    /** Avro's default limit of items in one collection (the largest Java array). */
    private static final long MAX_ITEMS = Integer.MAX_VALUE - 8;
    private byte[] buf;
    private int pos;
    private int end;
    private int start;

    /** Reads {@code buf} from {@code from} to its end. */
    public BinaryCursor reset(byte[] buf, int from) {
        this.buf = buf;
        this.pos = from;
        this.start = from;
        this.end = buf.length;
        return this;
    }

    /** Bytes from where {@link #reset} started to the end: no string or bytes length inside can be longer. */
    public int length() {
        return end - start;
    }

    /** True when every byte has been read. */
    public boolean isEnd() {
        return pos == end;
    }

    /** The next read's position in the array. */
    public int position() {
        return pos;
    }

    /**
     * The length of a string or bytes value, checked against the bytes left before anything is allocated (where Avro
     * would fail on a negative length or at the end of its input).
     */
    public int readLength() throws IOException {
        long n = readLong();
        if (n < 0 || n > end - pos) {
            throw new IOException("length " + n + " of a string or bytes value, " + (end - pos) + " bytes left");
        }
        return (int) n;
    }

    public int readInt() throws IOException {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            int b = next();
            n |= (b & 0x7f) << shift; // an int's fifth byte loses its high bits, as in Avro
            if (b <= 0x7f) {
                break;
            }
            if (shift == 28) {
                throw new IOException("invalid int encoding");
            }
        }
        return (n >>> 1) ^ -(n & 1);
    }

    public long readLong() throws IOException {
        long l = 0;
        for (int shift = 0; ; shift += 7) {
            int b = next();
            l |= (long) (b & 0x7f) << shift;
            if (b <= 0x7f) {
                break;
            }
            if (shift == 63) {
                throw new IOException("invalid long encoding");
            }
        }
        return (l >>> 1) ^ -(l & 1);
    }

    public int readIndex() throws IOException {
        return readInt();
    }

    public int readEnum() throws IOException {
        return readInt();
    }

    public boolean readBoolean() throws IOException {
        return next() == 1;
    }

    public float readFloat() throws IOException {
        return Float.intBitsToFloat(littleEndianInt());
    }

    public double readDouble() throws IOException {
        long low = littleEndianInt() & 0xffffffffL;
        return Double.longBitsToDouble(low | ((long) littleEndianInt() << 32));
    }

    /**
     * An array's first block count: items to read, 0 at its end (a negative count is followed by a byte size). A
     * count above what a Java array can hold is refused, as Avro refuses it.
     */
    public long readArrayStart() throws IOException {
        long n = readLong();
        if (n < 0) {
            readLong();
            n = -n;
        }
        if (n < 0 || n > MAX_ITEMS) {
            throw new IOException("array block of " + n + " items");
        }
        return n;
    }

    public long arrayNext() throws IOException {
        return readArrayStart();
    }

    /** {@code n} bytes (checked against the end by the caller's length check and here) as UTF-8. */
    public String utf8(int n) throws IOException {
        require(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public byte[] bytes(int n) throws IOException {
        require(n);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    public void skip(int n) throws IOException {
        require(n);
        pos += n;
    }

    private int next() throws IOException {
        if (pos >= end) {
            throw new EOFException();
        }
        return buf[pos++] & 0xff;
    }

    private int littleEndianInt() throws IOException {
        require(4);
        int n = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return n;
    }

    private void require(int n) throws IOException {
        if (n < 0 || n > end - pos) {
            throw new EOFException();
        }
    }
}
