package io.pgkb.schemas.segment;

import io.pgkb.schemas.BinaryCursor;
import io.pgkb.schemas.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;

/**
 * Rebuilds the {@link ArchivedRecord}s of ONE format-2 segment, block by block, in order, from what {@link
 * CompactRecordWriter} wrote: the exact key, value and header bytes the Kafka record had. A decoded field that cannot
 * be right (a derived part with nothing before it to derive from, a column too short or not used up) is an {@link
 * IOException}; the segment reader reports it as corruption, and the checksum catches every other change.
 */
final class CompactRecordReader {
    private static final Schema KEY = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.BYTES));
    private final DerivedHeaders derived = new DerivedHeaders();
    private final List<RowLayout> layouts;
    private final ColumnNumbers numbers = new ColumnNumbers();
    /** A value rebuilt from its skeleton and the columns, before its source fields; reused from record to record. */
    private final BinaryBuffer prefix = new BinaryBuffer();
    private List<byte[]> columns;
    private int[] cursors;
    private long offset;
    private long timestamp;
    /** The source fields of the last record that had them; the next one's are stored as differences to these. */
    private SourceTail previous = SourceTail.NONE;
    private List<ArchivedRecord.RecordHeader> lastDerived;
    /** Reads each block's records frame. */
    private final BinaryCursor cursor = new BinaryCursor();

    /** @param layouts the segment's row schemas ({@code pgkb.row_schema.<k>} metadata), by index */
    CompactRecordReader(List<RowLayout> layouts) {
        this.layouts = layouts;
    }

    /** The records of the next {@code SegmentBlock}. */
    List<ArchivedRecord> readBlock(Decoder in) throws IOException {
        columns = new ArrayList<>();
        for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
            for (long i = 0; i < n; i++) {
                ByteBuffer b = in.readBytes(null);
                byte[] c = new byte[b.remaining()];
                b.get(c);
                columns.add(BlockBuilder.decompress(c));
            }
        }
        cursors = new int[columns.size()];
        numbers.reset();
        ByteBuffer frame = in.readBytes(null);
        byte[] f = new byte[frame.remaining()];
        frame.get(f);
        BinaryCursor records = cursor.reset(BlockBuilder.decompress(f), 0);
        List<ArchivedRecord> out = new ArrayList<>();
        for (long n = records.readArrayStart(); n != 0; n = records.arrayNext()) {
            for (long i = 0; i < n; i++) {
                out.add(read(records));
            }
        }
        if (!records.isEnd()) {
            throw new IOException("the block's records frame holds more than its records");
        }
        if (numbers.used() != columns.size()) {
            throw new IOException("block has " + columns.size() + " row columns, its records use " + numbers.used());
        }
        for (int c = 0; c < columns.size(); c++) {
            if (cursors[c] != columns.get(c).length) {
                throw new IOException("row column " + c + " of the block holds more than its records use");
            }
        }
        return out;
    }

    private ArchivedRecord read(BinaryCursor in) throws IOException {
        offset += in.readLong();
        timestamp += in.readLong();
        byte[] key = nextKey();
        byte[] value = readNullableBytes(in);
        // the value up to its source fields: the stored bytes, or rebuilt into the prefix buffer from the columns
        byte[] front = value;
        int frontLength = value == null ? 0 : value.length;
        boolean rows = branch(in);
        if (rows) {
            rebuildRows(in.readInt(), value);
            front = prefix.array();
            frontLength = prefix.size();
        }
        SourceTail t = null;
        if (branch(in)) {
            if (value == null) {
                throw new IOException("record at offset " + offset + " has source fields but no value");
            }
            SourceTail p = previous;
            long lsn = p.lsn() + in.readLong();
            long commitLsn = p.commitLsn() + in.readLong();
            long xid = p.xid() + in.readLong();
            long commitTime = p.commitTime() + in.readLong();
            long seq = p.seq() + in.readLong();
            byte[] table = p.table();
            if (branch(in)) {
                table = in.bytes(in.readLength());
            } else if (table == null) {
                throw new IOException("record at offset " + offset + " refers to a previous table name, but none came before");
            }
            t = new SourceTail(frontLength, lsn, commitLsn, xid, commitTime, seq, table);
            previous = t;
            value = t.rebuild(front, frontLength);
        } else if (rows) {
            value = Arrays.copyOf(front, frontLength);
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

    /** The next key from column 0: a {@code ["null", "bytes"]} union encoding. */
    private byte[] nextKey() throws IOException {
        if (columns.isEmpty()) {
            throw new IOException("block has no key column");
        }
        byte[] col = columns.get(0);
        int pos = cursors[0];
        int end = AvroBinary.skip(KEY, col, pos, col.length);
        if (end == AvroBinary.BAD) {
            throw new IOException("key column ends inside a key (record at offset " + offset + ")");
        }
        cursors[0] = end;
        if (col[pos] == 0) {
            return null;
        }
        int lenEnd = AvroBinary.varintEnd(col, pos + 1, end);
        return Arrays.copyOfRange(col, lenEnd, end);
    }

    /** Rebuilds the value before its source fields into {@link #prefix}, from its skeleton and the block's columns. */
    private void rebuildRows(int k, byte[] skeleton) throws IOException {
        if (k < 0 || k >= layouts.size() || skeleton == null) {
            throw new IOException("record at offset " + offset + " refers to row schema " + k + " of " + layouts.size());
        }
        RowLayout l = layouts.get(k);
        prefix.reset();
        prefix.write(l.header, 0, l.header.length);
        int pos = copyVarint(skeleton, 0); // op
        for (int side = RowLayout.BEFORE; side <= RowLayout.AFTER; side++) {
            int end = copyVarint(skeleton, pos);
            long branch = AvroBinary.unzigzag(AvroBinary.varintValue(skeleton, pos, end));
            pos = end;
            if (branch == 1) {
                int base = base(k, side, l.fields[side].length);
                for (int i = 0; i < l.fields[side].length; i++) {
                    byte[] col = columns.get(base + i);
                    int from = cursors[base + i];
                    int to = AvroBinary.skip(l.fields[side][i], col, from, col.length);
                    if (to == AvroBinary.BAD) {
                        throw new IOException("row column " + (base + i) + " ends inside a value (record at offset " + offset + ")");
                    }
                    prefix.write(col, from, to - from);
                    cursors[base + i] = to;
                }
            } else if (branch != 0) {
                throw new IOException("record at offset " + offset + " has union branch " + branch + " for a row");
            }
        }
        prefix.write(skeleton, pos, skeleton.length - pos); // unchanged
    }

    /** Copies the varint at {@code pos} of the skeleton to the prefix; returns the position after it. */
    private int copyVarint(byte[] skeleton, int pos) throws IOException {
        int end = AvroBinary.varintEnd(skeleton, pos, skeleton.length);
        if (end == AvroBinary.BAD) {
            throw new IOException("record at offset " + offset + " has a cut value that ends early");
        }
        prefix.write(skeleton, pos, end - pos);
        return end;
    }

    private int base(int k, int side, int n) throws IOException {
        int b = numbers.base(k, side, n);
        if (numbers.used() > columns.size()) {
            throw new IOException("block has " + columns.size() + " row columns, its records need more");
        }
        return b;
    }


    private List<ArchivedRecord.RecordHeader> readHeaders(BinaryCursor in) throws IOException {
        List<ArchivedRecord.RecordHeader> headers = new ArrayList<>();
        for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
            for (long i = 0; i < n; i++) {
                String key = in.utf8(in.readLength());
                headers.add(new ArchivedRecord.RecordHeader(key, readNullableBytes(in)));
            }
        }
        return headers;
    }

    /** A {@code ["null", X]} union's branch: false for null. */
    private static boolean branch(BinaryCursor in) throws IOException {
        int i = in.readIndex();
        if (i != 0 && i != 1) {
            throw new IOException("union branch " + i + " in a two-branch union");
        }
        return i == 1;
    }

    private static byte[] readNullableBytes(BinaryCursor in) throws IOException {
        return branch(in) ? in.bytes(in.readLength()) : null;
    }
}
