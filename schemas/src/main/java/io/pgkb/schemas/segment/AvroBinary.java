package io.pgkb.schemas.segment;

import org.apache.avro.Schema;

/**
 * Where one Avro-binary-encoded datum ends, from its schema, on a byte array with bounds checks: segment format 2
 * cuts change values at field boundaries with it, and rebuilds them with it, so both sides cut identically. Also
 * the zig-zag varint helpers of the segment code.
 */
final class AvroBinary {
    /** A value that does not fit: past the limit, or not a valid encoding. */
    static final int BAD = -1;
    private static final int MAX_VARINT = 10;

    private AvroBinary() {
    }

    /** The position after the datum of {@code schema} at {@code pos}, or {@link #BAD}. */
    static int skip(Schema schema, byte[] b, int pos, int limit) {
        if (pos < 0) {
            return BAD;
        }
        switch (schema.getType()) {
            case NULL:
                return pos;
            case BOOLEAN:
                return fits(pos + 1, limit);
            case INT:
            case LONG:
            case ENUM:
                return varintEnd(b, pos, limit);
            case FLOAT:
                return fits(pos + 4, limit);
            case DOUBLE:
                return fits(pos + 8, limit);
            case FIXED:
                return fits(pos + schema.getFixedSize(), limit);
            case STRING:
            case BYTES:
                return lengthPrefixed(b, pos, limit);
            case UNION: {
                int end = varintEnd(b, pos, limit);
                if (end == BAD) {
                    return BAD;
                }
                long branch = unzigzag(varintValue(b, pos, end));
                if (branch < 0 || branch >= schema.getTypes().size()) {
                    return BAD;
                }
                return skip(schema.getTypes().get((int) branch), b, end, limit);
            }
            case RECORD:
                for (Schema.Field f : schema.getFields()) {
                    pos = skip(f.schema(), b, pos, limit);
                    if (pos == BAD) {
                        return BAD;
                    }
                }
                return pos;
            case ARRAY:
            case MAP:
                return blocks(schema, b, pos, limit);
            default:
                return BAD;
        }
    }

    private static int blocks(Schema schema, byte[] b, int pos, int limit) {
        while (true) {
            int end = varintEnd(b, pos, limit);
            if (end == BAD) {
                return BAD;
            }
            long count = unzigzag(varintValue(b, pos, end));
            pos = end;
            if (count == 0) {
                return pos;
            }
            if (count < 0) { // a block with its size in bytes
                end = varintEnd(b, pos, limit);
                if (end == BAD) {
                    return BAD;
                }
                long size = unzigzag(varintValue(b, pos, end));
                if (size < 0 || end + size > limit) {
                    return BAD;
                }
                pos = (int) (end + size);
                continue;
            }
            for (long i = 0; i < count; i++) {
                if (schema.getType() == Schema.Type.MAP) {
                    pos = lengthPrefixed(b, pos, limit);
                }
                pos = skip(schema.getType() == Schema.Type.MAP ? schema.getValueType() : schema.getElementType(), b, pos, limit);
                if (pos == BAD) {
                    return BAD;
                }
            }
        }
    }

    private static int lengthPrefixed(byte[] b, int pos, int limit) {
        int end = varintEnd(b, pos, limit);
        if (end == BAD) {
            return BAD;
        }
        long length = unzigzag(varintValue(b, pos, end));
        return length < 0 || end + length > limit ? BAD : (int) (end + length);
    }

    private static int fits(int end, int limit) {
        return end <= limit ? end : BAD;
    }

    /** The position after the varint at {@code pos}, or {@link #BAD}. */
    static int varintEnd(byte[] b, int pos, int limit) {
        for (int i = pos; i < limit && i < pos + MAX_VARINT; i++) {
            if ((b[i] & 0x80) == 0) {
                return i + 1;
            }
        }
        return BAD;
    }

    /** The raw (still zig-zag) value of the varint in {@code [pos, end)}. */
    static long varintValue(byte[] b, int pos, int end) {
        long raw = 0;
        for (int i = pos, shift = 0; i < end; i++, shift += 7) {
            raw |= (long) (b[i] & 0x7f) << shift;
        }
        return raw;
    }

    static long zigzag(long n) {
        return (n << 1) ^ (n >> 63);
    }

    static long unzigzag(long raw) {
        return (raw >>> 1) ^ -(raw & 1);
    }

    static int varintSize(long raw) {
        int n = 1;
        while ((raw & ~0x7FL) != 0) {
            raw >>>= 7;
            n++;
        }
        return n;
    }

    /** True if the canonical encoding of {@code raw} is at {@code pos}. */
    static boolean varintAt(byte[] b, int pos, long raw) {
        while ((raw & ~0x7FL) != 0) {
            if (pos >= b.length || b[pos++] != (byte) ((raw & 0x7f) | 0x80)) {
                return false;
            }
            raw >>>= 7;
        }
        return pos < b.length && b[pos] == (byte) raw;
    }

    static int writeVarint(byte[] b, int pos, long raw) {
        while ((raw & ~0x7FL) != 0) {
            b[pos++] = (byte) ((raw & 0x7f) | 0x80);
            raw >>>= 7;
        }
        b[pos++] = (byte) raw;
        return pos;
    }
}
