package io.pgkb.schemas.segment;

import io.pgkb.schemas.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Rebuilds the {@link ArchivedRecord}s of ONE format-2 segment, in order, from what {@link CompactRecordWriter}
 * wrote: the exact key, value and header bytes the Kafka record had. A decoded field that cannot be right (a
 * derived part with nothing before it to derive from) is an {@link IOException}; the segment reader reports it as
 * corruption, and the checksum catches every other change.
 */
final class CompactRecordReader {
    private final DerivedHeaders derived = new DerivedHeaders();
    private long offset;
    private long timestamp;
    private long lsn;
    private long commitLsn;
    private long xid;
    private long commitTime;
    private long seq;
    private byte[] table;
    private List<ArchivedRecord.RecordHeader> lastDerived;
    private Utf8 scratch;

    ArchivedRecord read(Decoder in) throws IOException {
        offset += in.readLong();
        timestamp += in.readLong();
        byte[] key = readNullableBytes(in);
        byte[] value = readNullableBytes(in);
        SourceTail t = null;
        if (branch(in)) {
            if (value == null) {
                throw new IOException("record at offset " + offset + " has source fields but no value");
            }
            lsn += in.readLong();
            commitLsn += in.readLong();
            xid += in.readLong();
            commitTime += in.readLong();
            seq += in.readLong();
            if (branch(in)) {
                scratch = in.readString(scratch);
                table = scratch.toString().getBytes(StandardCharsets.UTF_8);
            } else if (table == null) {
                throw new IOException("record at offset " + offset + " refers to a previous table name, but none came before");
            }
            t = new SourceTail(value.length, lsn, commitLsn, xid, commitTime, seq, table);
            value = t.rebuild(value, value.length);
        }
        List<ArchivedRecord.RecordHeader> headers;
        if (!branch(in)) {
            int op = t == null ? -1 : SourceTail.opIndex(value, t.prefixLength());
            if (op < 0 || op >= Op.values().length) {
                throw new IOException("record at offset " + offset + " has derived headers but no change value to derive them from");
            }
            headers = derived.build(op, t, lastDerived);
            lastDerived = headers;
        } else {
            headers = readHeaders(in);
        }
        long orderLsn;
        long orderSeq;
        if (!branch(in)) {
            if (t == null) {
                throw new IOException("record at offset " + offset + " takes its order key from source fields it does not have");
            }
            orderLsn = t.commitLsn();
            orderSeq = t.seq();
        } else {
            orderLsn = in.readLong();
            orderSeq = in.readLong();
        }
        return new ArchivedRecord(offset, timestamp, key, value, headers, orderLsn, orderSeq);
    }

    private List<ArchivedRecord.RecordHeader> readHeaders(Decoder in) throws IOException {
        List<ArchivedRecord.RecordHeader> headers = new ArrayList<>();
        for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
            for (long i = 0; i < n; i++) {
                scratch = in.readString(scratch);
                headers.add(new ArchivedRecord.RecordHeader(scratch.toString(), readNullableBytes(in)));
            }
        }
        return headers;
    }

    /** A {@code ["null", X]} union's branch: false for null. */
    private static boolean branch(Decoder in) throws IOException {
        int i = in.readIndex();
        if (i != 0 && i != 1) {
            throw new IOException("union branch " + i + " in a two-branch union");
        }
        return i == 1;
    }

    private static byte[] readNullableBytes(Decoder in) throws IOException {
        if (!branch(in)) {
            return null;
        }
        ByteBuffer b = in.readBytes(null);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
