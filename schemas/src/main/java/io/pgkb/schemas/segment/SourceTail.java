package io.pgkb.schemas.segment;

import static io.pgkb.schemas.segment.AvroBinary.unzigzag;
import static io.pgkb.schemas.segment.AvroBinary.varintAt;
import static io.pgkb.schemas.segment.AvroBinary.varintSize;
import static io.pgkb.schemas.segment.AvroBinary.varintValue;
import static io.pgkb.schemas.segment.AvroBinary.writeVarint;
import static io.pgkb.schemas.segment.AvroBinary.zigzag;

import java.util.Arrays;

/**
 * The {@code source} fields that end every pgkb change value ({@code Envelope.avsc} puts {@code source} last):
 * {@code lsn, commit_lsn, xid, commit_time, seq} as Avro longs (zig-zag varints), then {@code table} as an Avro
 * string. Segment format 2 stores them apart, as differences to the record before, because they are nearly all of
 * what changes from one record to the next and no compressor sees that an LSN grows by a few hundred.
 *
 * <p>{@link #split} finds them without decoding the row before them (which would need the row's writer schema):
 * the table name is known (the record's {@code pgkb.table} header), and varints can be walked backwards because only
 * the last byte of each has its high bit clear. The split is accepted only if writing the five numbers and the
 * name again gives exactly the bytes found, so {@link #appendTo} always rebuilds the value byte for byte.
 */
record SourceTail(int prefixLength, long lsn, long commitLsn, long xid, long commitTime, long seq, byte[] table) {
    /** Single-object encoding marker {@code C3 01} + 8 bytes of fingerprint; the envelope's op follows. */
    static final int SINGLE_OBJECT_HEADER = 10;
    /** What the first source fields of a segment are stored as differences to. */
    static final SourceTail NONE = new SourceTail(0, 0, 0, 0, 0, 0, null);
    private static final int MAX_VARINT = 10;

    /**
     * The tail of {@code value} if it ends with five canonical longs and the Avro string {@code table}, after at
     * least a single-object header and one more byte; otherwise null.
     */
    static SourceTail split(byte[] value, byte[] table) {
        if (value == null || table == null) {
            return null;
        }
        long tableLength = zigzag(table.length);
        int end = value.length - table.length - varintSize(tableLength);
        if (end <= SINGLE_OBJECT_HEADER
                || !Arrays.equals(value, value.length - table.length, value.length, table, 0, table.length)
                || !varintAt(value, end, tableLength)) {
            return null;
        }
        // seq, commit_time, xid, commit_lsn, lsn: walked backwards, no array per record (this runs for every one)
        int seqStart = canonicalVarintBefore(value, end);
        int timeStart = canonicalVarintBefore(value, seqStart);
        int xidStart = canonicalVarintBefore(value, timeStart);
        int commitStart = canonicalVarintBefore(value, xidStart);
        int lsnStart = canonicalVarintBefore(value, commitStart);
        if (lsnStart <= SINGLE_OBJECT_HEADER) {
            return null;
        }
        return new SourceTail(lsnStart, longAt(value, lsnStart, commitStart), longAt(value, commitStart, xidStart),
                longAt(value, xidStart, timeStart), longAt(value, timeStart, seqStart), longAt(value, seqStart, end), table);
    }

    /**
     * The start of the varint that ends at {@code end}, if it is the canonical encoding of its value (so writing the
     * value again gives exactly these bytes) and starts after the single-object header; else {@link AvroBinary#BAD}
     * (also when {@code end} is already BAD, so calls chain).
     */
    static int canonicalVarintBefore(byte[] value, int end) {
        if (end <= SINGLE_OBJECT_HEADER || (value[end - 1] & 0x80) != 0) {
            return AvroBinary.BAD;
        }
        int start = end - 1;
        while (start > 0 && (value[start - 1] & 0x80) != 0 && end - start < MAX_VARINT) {
            start--;
        }
        int length = end - start;
        int last = value[end - 1];
        // canonical: no superfluous last byte of 0, and a 10th byte holds only bit 63
        if (length > 1 && (last == 0 || length == MAX_VARINT && last != 1)) {
            return AvroBinary.BAD;
        }
        return start <= SINGLE_OBJECT_HEADER ? AvroBinary.BAD : start;
    }

    private static long longAt(byte[] value, int start, int end) {
        return unzigzag(varintValue(value, start, end));
    }

    /** Bytes the tail takes at the end of the value. */
    int size() {
        return varintSize(zigzag(lsn)) + varintSize(zigzag(commitLsn)) + varintSize(zigzag(xid))
                + varintSize(zigzag(commitTime)) + varintSize(zigzag(seq)) + varintSize(zigzag(table.length)) + table.length;
    }

    /** Writes the tail into {@code out} from {@code pos}; returns the position after it. */
    int appendTo(byte[] out, int pos) {
        pos = writeVarint(out, pos, zigzag(lsn));
        pos = writeVarint(out, pos, zigzag(commitLsn));
        pos = writeVarint(out, pos, zigzag(xid));
        pos = writeVarint(out, pos, zigzag(commitTime));
        pos = writeVarint(out, pos, zigzag(seq));
        pos = writeVarint(out, pos, zigzag(table.length));
        System.arraycopy(table, 0, out, pos, table.length);
        return pos + table.length;
    }

    /** The whole value: {@code prefix} (the first {@link #prefixLength} bytes) followed by this tail. */
    byte[] rebuild(byte[] prefix, int prefixLength) {
        byte[] out = new byte[prefixLength + size()];
        System.arraycopy(prefix, 0, out, 0, prefixLength);
        appendTo(out, prefixLength);
        return out;
    }

    /** The envelope's op as its enum index, if the value starts with a single-object header; else -1. */
    static int opIndex(byte[] value, int prefixLength) {
        if (prefixLength <= SINGLE_OBJECT_HEADER || value[0] != (byte) 0xC3 || value[1] != 0x01) {
            return -1;
        }
        int b = value[SINGLE_OBJECT_HEADER];
        return (b & 0x81) == 0 ? b >> 1 : -1; // one-byte non-negative zig-zag varint
    }
}
