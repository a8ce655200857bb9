package io.pgkb.schemas.segment;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A growable byte array that writes Avro binary encoding itself (zig-zag varints, length-prefixed bytes), for the
 * segment writer's per-record fields. Avro's {@code BinaryEncoder} writes the same bytes ({@code BinaryBufferTest}
 * compares both on random input); this one takes no lock per write (ByteArrayOutputStream's synchronized writes showed
 * in the archiver's profile), its array is read without a copy, and its small loops keep the JIT-compiled record
 * writer small (Avro's unrolled {@code encodeLong}, inlined at every call site, made it the largest compilation of
 * the archiver's run).
 */
final class BinaryBuffer extends ByteArrayOutputStream {
    private static final int MAX_VARINT = 10;

    BinaryBuffer() {
        super(256);
    }

    /** The array holding the {@link #size()} bytes written (no copy; valid until the next write or reset). */
    byte[] array() {
        return buf;
    }

    /** Avro {@code long} or {@code int}: a zig-zag varint. */
    void writeLong(long n) {
        room(MAX_VARINT);
        count = AvroBinary.writeVarint(buf, count, AvroBinary.zigzag(n));
    }

    /** A union's branch, an enum's index or an array block's item count: written as a {@code long}. */
    void writeIndex(int i) {
        writeLong(i);
    }

    /** Avro {@code bytes} (also {@code string} given its UTF-8 bytes): the length, then the bytes. */
    void writeBytes(byte[] b, int off, int len) {
        writeLong(len);
        write(b, off, len);
    }

    /** A {@code ["null", "bytes"]} union: branch 0 is null. */
    void writeNullableBytes(byte[] b, int off, int len) {
        if (b == null) {
            writeIndex(0);
        } else {
            writeIndex(1);
            writeBytes(b, off, len);
        }
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

    /** Unsynchronized, like the writes: one buffer is only ever used by one thread. */
    @Override
    public void reset() {
        count = 0;
    }

    @Override
    public int size() {
        return count;
    }

    private void room(int n) {
        if (count + n > buf.length) {
            grow(n); // apart: every write inlines room(), the rare growth stays out of the compiled callers
        }
    }

    private void grow(int n) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
    }
}
