package io.pgkb.schemas.segment;

import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Op;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The six headers pgkb's producer puts on a change record, in its order, as functions of the value's op and source:
 * segment format 2 stores "these, derived" instead of their bytes when a record's headers are exactly these.
 * Checking compares bytes in a scratch buffer, so the archiver allocates nothing per record for it.
 */
final class DerivedHeaders {
    private static final String[] KEYS = {Headers.OP, Headers.TABLE, Headers.LSN, Headers.COMMIT_LSN, Headers.XID, Headers.SEQ};
    private static final byte[][] OPS = opBytes();
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private final byte[] scratch = new byte[24];
    /** A transaction's records share commit_lsn and xid: their text is checked once per transaction, not per record. */
    private final LastMatch commitLsn = new LastMatch();
    private final LastMatch xid = new LastMatch();

    /** True if {@code headers} are exactly what the producer writes for this op and tail. */
    boolean matches(List<ArchivedRecord.RecordHeader> headers, int op, SourceTail t) {
        if (op < 0 || op >= OPS.length || headers.size() != KEYS.length) {
            return false;
        }
        for (int i = 0; i < KEYS.length; i++) {
            if (!KEYS[i].equals(headers.get(i).key()) || headers.get(i).value() == null) {
                return false;
            }
        }
        return Arrays.equals(headers.get(0).value(), OPS[op])
                && Arrays.equals(headers.get(1).value(), t.table())
                && same(headers.get(2).value(), lsn(t.lsn()))
                && commitLsn.matches(headers.get(3).value(), t.commitLsn(), this, true)
                && xid.matches(headers.get(4).value(), t.xid(), this, false)
                && same(headers.get(5).value(), decimal(t.seq()));
    }

    /**
     * The headers for this op and tail. {@code previous} (may be null) is the list built for the record before:
     * values equal to its values are shared instead of allocated again (header values are never modified).
     */
    List<ArchivedRecord.RecordHeader> build(int op, SourceTail t, List<ArchivedRecord.RecordHeader> previous) {
        ArchivedRecord.RecordHeader[] h = new ArchivedRecord.RecordHeader[KEYS.length];
        h[0] = header(0, OPS[op], previous);
        h[1] = header(1, t.table(), previous);
        h[2] = header(2, copy(lsn(t.lsn())), previous);
        h[3] = header(3, copy(lsn(t.commitLsn())), previous);
        h[4] = header(4, copy(decimal(t.xid())), previous);
        h[5] = header(5, copy(decimal(t.seq())), previous);
        return List.of(h);
    }

    private static ArchivedRecord.RecordHeader header(int i, byte[] value, List<ArchivedRecord.RecordHeader> previous) {
        if (previous != null && Arrays.equals(previous.get(i).value(), value)) {
            return previous.get(i);
        }
        return new ArchivedRecord.RecordHeader(KEYS[i], value);
    }

    /** The last header text found to be exactly a number's text, and that number. */
    private static final class LastMatch {
        private long number;
        private byte[] text;

        boolean matches(byte[] actual, long n, DerivedHeaders d, boolean asLsn) {
            if (n == number && Arrays.equals(actual, text)) {
                return true;
            }
            if (!d.same(actual, asLsn ? d.lsn(n) : d.decimal(n))) {
                return false;
            }
            number = n;
            text = actual; // header values are never modified
            return true;
        }
    }

    /** {@code actual} equals the first {@code length} bytes of the scratch (written by the argument before). */
    private boolean same(byte[] actual, int length) {
        return actual.length == length && Arrays.equals(actual, 0, length, scratch, 0, length);
    }

    private byte[] copy(int length) {
        return Arrays.copyOf(scratch, length);
    }

    /** Writes the LSN as {@code X/X} (upper-case hex, as {@code Lsn.toString}) into the scratch; returns its length. */
    private int lsn(long lsn) {
        int n = hex(lsn >>> 32, 0);
        scratch[n++] = '/';
        return hex(lsn & 0xFFFFFFFFL, n);
    }

    private int hex(long v, int pos) {
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            scratch[pos + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        return pos + digits;
    }

    /** Writes {@code Long.toString(v)} into the scratch; returns its length. */
    private int decimal(long v) {
        if (v == Long.MIN_VALUE) {
            byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, scratch, 0, s.length);
            return s.length;
        }
        int pos = 0;
        if (v < 0) {
            scratch[pos++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long p = 10; digits < 19 && v >= p; p *= 10) {
            digits++;
        }
        for (int i = pos + digits - 1; i >= pos; i--) {
            scratch[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return pos + digits;
    }

    private static byte[][] opBytes() {
        Op[] ops = Op.values();
        byte[][] b = new byte[ops.length][];
        for (Op op : ops) {
            b[op.ordinal()] = op.name().getBytes(StandardCharsets.US_ASCII);
        }
        return b;
    }
}
