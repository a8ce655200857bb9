package io.pgkb.restorer.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads Avro binary encoding from a byte array, with exactly the results and the failures of Avro's
 * {@code BinaryDecoder} over the same array (varints of at most 5 / 10 bytes, an int's fifth byte truncated as
 * Avro truncates it, a boolean true only for 1, block counts with their optional byte size, EOF past the end),
 * which {@code ChangeDecodingTest} checks on random and damaged records against Avro's reader.
 *
 * <p>Why not Avro's decoder: change values are decoded a million times in a restore that often runs in a JVM
 * started for it. Avro's unrolled varint reader deoptimizes as soon as keys and LSNs outgrow the varint lengths
 * of the first records, and every method that inlined it is compiled again; a loop over the array is less code for
 * the JIT and has no such branch. Strings are also decoded straight from the array, without a copy.
 */
final class Datum {
    private byte[] buf;
    private int pos;
    private int end;
    /** The datum's length: no string or bytes length inside it can be longer. */
    private int length;

    /** Reads the datum that fills {@code buf} from {@code from} to its end. */
    Datum reset(byte[] buf, int from) {
        this.buf = buf;
        this.pos = from;
        this.end = buf.length;
        this.length = end - from;
        return this;
    }

    /** The length of a string or bytes value; one longer than the datum is corrupt, before anything is allocated. */
    int readLength() throws IOException {
        long n = readLong();
        if (n < 0 || n > length) {
            throw new EnvelopePlan.Corrupt("length " + n + " of a string or bytes value, the record has " + length + " bytes");
        }
        return (int) n;
    }

    int readInt() throws IOException {
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

    long readLong() throws IOException {
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

    int readIndex() throws IOException {
        return readInt();
    }

    int readEnum() throws IOException {
        return readInt();
    }

    boolean readBoolean() throws IOException {
        return next() == 1;
    }

    float readFloat() throws IOException {
        return Float.intBitsToFloat(littleEndianInt());
    }

    double readDouble() throws IOException {
        long low = littleEndianInt() & 0xffffffffL;
        return Double.longBitsToDouble(low | ((long) littleEndianInt() << 32));
    }

    /** An array's first block count: items to read, 0 at its end (a negative count is followed by a byte size). */
    long readArrayStart() throws IOException {
        long n = readLong();
        if (n < 0) {
            readLong();
            n = -n;
        }
        return n;
    }

    long arrayNext() throws IOException {
        return readArrayStart();
    }

    /** {@code n} bytes (checked against the end by the caller's length check and here) as UTF-8. */
    String utf8(int n) throws IOException {
        require(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    byte[] bytes(int n) throws IOException {
        require(n);
        byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    void skip(int n) throws IOException {
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
