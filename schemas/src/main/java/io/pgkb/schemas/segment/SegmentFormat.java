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

    // field positions of SCHEMA, the reader schema of every segment: fromAvro runs per record, name lookups showed
    // up in restore profiles
    private static final int OFFSET = SCHEMA.getField("offset").pos();
    private static final int TIMESTAMP = SCHEMA.getField("timestamp").pos();
    private static final int KEY = SCHEMA.getField("key").pos();
    private static final int VALUE = SCHEMA.getField("value").pos();
    private static final int HEADERS = SCHEMA.getField("headers").pos();
    private static final int COMMIT_LSN = SCHEMA.getField("commit_lsn").pos();
    private static final int SEQ = SCHEMA.getField("seq").pos();
    private static final int HEADER_KEY = HEADER_SCHEMA.getField("key").pos();
    private static final int HEADER_VALUE = HEADER_SCHEMA.getField("value").pos();

    static ArchivedRecord fromAvro(GenericRecord g) {
        List<?> hs = (List<?>) g.get(HEADERS);
        List<ArchivedRecord.RecordHeader> headers = hs.isEmpty() ? List.of() : new ArrayList<>(hs.size());
        for (Object o : hs) {
            GenericRecord h = (GenericRecord) o;
            headers.add(new ArchivedRecord.RecordHeader(h.get(HEADER_KEY).toString(), bytes(h.get(HEADER_VALUE))));
        }
        return new ArchivedRecord((Long) g.get(OFFSET), (Long) g.get(TIMESTAMP), bytes(g.get(KEY)),
                bytes(g.get(VALUE)), headers, (Long) g.get(COMMIT_LSN), (Long) g.get(SEQ));
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
