package io.pgkb.schemas.segment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The Avro side of segments: the record schemas of both formats, and decoding format 1. Format 1 ({@code
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
    /** What a format-2 block's {@code records} frame holds. */
    static final Schema COMPACT_RECORDS = Schema.createArray(load("CompactRecord.avsc"));
    /** Metadata of format 2: the number of row schemas, and each as {@code <hex of its 10-byte single-object header> <parsing canonical form>}. */
    static final String ROW_SCHEMAS = "pgkb.row_schemas";
    static final String ROW_SCHEMA_PREFIX = "pgkb.row_schema.";
    static final Schema HEADER_SCHEMA = SCHEMA.getField("headers").schema().getElementType();
    /**
     * Kafka bytes (keys, values, headers) per format-2 block. An open segment holds one block being built, a
     * reader one block decoded; blocks of ~2 000 records and more compress nearly as well as whole segments
     * (docs/archiver.md).
     */
    static final int BLOCK_BYTES = 256 * 1024;

    private SegmentFormat() {
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
