package io.pgkb.schemas.segment;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;

/**
 * Encodes an {@link ArchivedRecord} straight into the {@code ArchivedRecord.avsc} binary form, without building
 * generic records first: this runs for every archived record on the archiver's segment builders. The layout must follow
 * the schema's field order; {@code SegmentRoundTripTest} reads it back with Avro's generic reader to prove it.
 */
final class ArchivedRecordWriter implements DatumWriter<ArchivedRecord> {
    @Override
    public void setSchema(Schema schema) {
        if (!schema.equals(SegmentFormat.SCHEMA)) {
            throw new IllegalArgumentException("ArchivedRecordWriter writes only " + SegmentFormat.SCHEMA.getFullName());
        }
    }

    @Override
    public void write(ArchivedRecord r, Encoder out) throws IOException {
        out.writeLong(r.offset());
        out.writeLong(r.timestamp());
        writeNullableBytes(r.key(), out);
        writeNullableBytes(r.value(), out);
        out.writeArrayStart();
        out.setItemCount(r.headers().size());
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            out.startItem();
            out.writeString(h.key());
            writeNullableBytes(h.value(), out);
        }
        out.writeArrayEnd();
        out.writeLong(r.commitLsn());
        out.writeLong(r.seq());
    }

    /** A {@code ["null", "bytes"]} union: branch 0 is null. */
    private static void writeNullableBytes(byte[] b, Encoder out) throws IOException {
        if (b == null) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeBytes(b);
        }
    }
}
