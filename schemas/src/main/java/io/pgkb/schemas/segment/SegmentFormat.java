package io.pgkb.schemas.segment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** The Avro side of segments: the {@code ArchivedRecord} schema, the codec, and decoding (see ArchivedRecordWriter). */
final class SegmentFormat {
    static final Schema SCHEMA = load();
    static final Schema HEADER_SCHEMA = SCHEMA.getField("headers").schema().getElementType();
    /**
     * zstd level 1. Measured on archived pgkb records (docs/archiver.md, codec sweep): levels 1-3 give the same size
     * within 1%, level 1 compresses 7-30% faster; level 6 is ~4% smaller at 3.5x the CPU, level 9 ~9% smaller at 6x.
     */
    static final int ZSTD_LEVEL = 1;
    /**
     * Uncompressed bytes per Avro block. Larger blocks gained under 1% in the sweep, but every reader holds a block
     * (the restorer one per partition it merges) and each segment being finished holds one.
     */
    static final int BLOCK_BYTES = 256 * 1024;

    private SegmentFormat() {
    }

    static CodecFactory codec() {
        return CodecFactory.zstandardCodec(ZSTD_LEVEL);
    }

    private static Schema load() {
        try (InputStream in = SegmentFormat.class.getResourceAsStream("/io/pgkb/schemas/ArchivedRecord.avsc")) {
            if (in == null) {
                throw new IllegalStateException("ArchivedRecord.avsc missing from the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ArchivedRecord fromAvro(GenericRecord g) {
        List<?> hs = (List<?>) g.get("headers");
        List<ArchivedRecord.RecordHeader> headers = new ArrayList<>(hs.size());
        for (Object o : hs) {
            GenericRecord h = (GenericRecord) o;
            headers.add(new ArchivedRecord.RecordHeader(h.get("key").toString(), bytes(h.get("value"))));
        }
        return new ArchivedRecord((Long) g.get("offset"), (Long) g.get("timestamp"), bytes(g.get("key")),
                bytes(g.get("value")), headers, (Long) g.get("commit_lsn"), (Long) g.get("seq"));
    }

    private static byte[] bytes(Object o) {
        if (o == null) {
            return null;
        }
        ByteBuffer b = ((ByteBuffer) o).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
