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

/**
 * The Avro side of segments: the record schemas of both formats, the codec, and decoding format 1. Format 1 ({@code
 * ArchivedRecord.avsc}) stored every record whole; format 2 ({@code SegmentBlock.avsc}, written since 2026-11-21,
 * see {@link CompactRecordWriter}) stores blocks of records without what the record before and the record's own
 * value already say, with the rows of change values column by column.
 * Readers take both; the checksum is over the rebuilt records, the same for both.
 */
final class SegmentFormat {
    /** Format 1's record schema; still the reader's, for segments written before format 2. */
    static final Schema SCHEMA = load("ArchivedRecord.avsc");
    /** Format 2's container item: one block of records, rows in columns. */
    static final Schema COMPACT = load("SegmentBlock.avsc");
    /** Metadata of format 2: the number of row schemas, and each as {@code <hex of its 10-byte single-object header> <parsing canonical form>}. */
    static final String ROW_SCHEMAS = "pgkb.row_schemas";
    static final String ROW_SCHEMA_PREFIX = "pgkb.row_schema.";
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

    private static Schema load(String name) {
        try (InputStream in = SegmentFormat.class.getResourceAsStream("/io/pgkb/schemas/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // field positions of SCHEMA, the reader schema of format 1 segments: fromAvro runs per record, name lookups showed
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
