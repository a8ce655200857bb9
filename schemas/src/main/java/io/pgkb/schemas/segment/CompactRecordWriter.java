package io.pgkb.schemas.segment;

import io.pgkb.schemas.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;

/**
 * Encodes the records of ONE segment, in order, as {@code CompactRecord.avsc} (segment format 2): differences to
 * the record before, the value's {@link SourceTail} apart, and the producer's headers as "derived" when they are
 * exactly {@link DerivedHeaders}. Anything that does not fit is kept literally, so any Kafka record round-trips.
 * Straight calls on the encoder (no generic records): this runs for every archived record; {@code
 * CompactRecordTest} reads the output with Avro's generic reader to prove the layout follows the schema.
 */
final class CompactRecordWriter implements DatumWriter<ArchivedRecord> {
    private final DerivedHeaders derived = new DerivedHeaders();
    private long offset;
    private long timestamp;
    private long lsn;
    private long commitLsn;
    private long xid;
    private long commitTime;
    private long seq;
    private byte[] table;

    @Override
    public void setSchema(Schema schema) {
        if (!schema.equals(SegmentFormat.COMPACT)) {
            throw new IllegalArgumentException("CompactRecordWriter writes only " + SegmentFormat.COMPACT.getFullName());
        }
    }

    @Override
    public void write(ArchivedRecord r, Encoder out) throws IOException {
        out.writeLong(r.offset() - offset);
        out.writeLong(r.timestamp() - timestamp);
        offset = r.offset();
        timestamp = r.timestamp();
        writeNullableBytes(r.key(), 0, r.key() == null ? 0 : r.key().length, out);
        SourceTail t = SourceTail.split(r.value(), tableOf(r));
        if (t == null) {
            writeNullableBytes(r.value(), 0, r.value() == null ? 0 : r.value().length, out);
            out.writeIndex(0);
            writeHeaders(r, out);
            writeOrder(r, out);
            return;
        }
        writeNullableBytes(r.value(), 0, t.prefixLength(), out);
        out.writeIndex(1);
        out.writeLong(t.lsn() - lsn);
        out.writeLong(t.commitLsn() - commitLsn);
        out.writeLong(t.xid() - xid);
        out.writeLong(t.commitTime() - commitTime);
        out.writeLong(t.seq() - seq);
        if (Arrays.equals(t.table(), table)) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeString(new String(t.table(), StandardCharsets.UTF_8));
            table = t.table();
        }
        lsn = t.lsn();
        commitLsn = t.commitLsn();
        xid = t.xid();
        commitTime = t.commitTime();
        seq = t.seq();
        if (derived.matches(r.headers(), SourceTail.opIndex(r.value(), t.prefixLength()), t)) {
            out.writeIndex(0);
        } else {
            writeHeaders(r, out);
        }
        if (r.commitLsn() == t.commitLsn() && r.seq() == t.seq()) {
            out.writeIndex(0);
        } else {
            writeOrder(r, out);
        }
    }

    /**
     * The table name the value should end with: the {@code pgkb.table} header, else the previous record's. Only names
     * whose UTF-8 bytes survive a trip through a Java string qualify, since format 2 stores the name as an Avro string.
     */
    private byte[] tableOf(ArchivedRecord r) {
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            if (h.key().equals(Headers.TABLE)) {
                byte[] b = h.value();
                if (b == null) {
                    return null;
                }
                if (Arrays.equals(b, table)) {
                    return table;
                }
                return Arrays.equals(b, new String(b, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)) ? b : null;
            }
        }
        return table;
    }

    private static void writeHeaders(ArchivedRecord r, Encoder out) throws IOException {
        out.writeIndex(1);
        out.writeArrayStart();
        out.setItemCount(r.headers().size());
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            out.startItem();
            out.writeString(h.key());
            writeNullableBytes(h.value(), 0, h.value() == null ? 0 : h.value().length, out);
        }
        out.writeArrayEnd();
    }

    private static void writeOrder(ArchivedRecord r, Encoder out) throws IOException {
        out.writeIndex(1);
        out.writeLong(r.commitLsn());
        out.writeLong(r.seq());
    }

    /** A {@code ["null", "bytes"]} union: branch 0 is null. */
    private static void writeNullableBytes(byte[] b, int start, int length, Encoder out) throws IOException {
        if (b == null) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeBytes(b, start, length);
        }
    }
}
