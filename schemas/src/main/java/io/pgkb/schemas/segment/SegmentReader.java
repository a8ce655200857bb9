package io.pgkb.schemas.segment;

import io.pgkb.schemas.SingleObjectCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;

/**
 * Streams the records of one segment object and proves them: offsets increase within the metadata's range, and
 * at the end the count, first/last offsets, commit LSN range and checksum must equal the header's metadata.
 * Any decode failure or mismatch is a {@link SegmentCorruptException} naming the object. Callers must read to
 * the end (until {@link #next()} returns null) before trusting what they read.
 */
public final class SegmentReader implements Closeable {
    private final String object;
    /** Parsed row schemas by their metadata text: a restore opens many segments of few schemas. */
    private static final Map<String, RowLayout> LAYOUTS = new ConcurrentHashMap<>();
    private final DataFileStream<Object> in;
    private final Records records = new Records();
    private Iterator<ArchivedRecord> block = Collections.emptyIterator();
    private final SegmentMetadata meta;
    private final SegmentChecksum checksum;
    private long count;
    private long first = -1;
    private long last = -1;
    private long minLsn;
    private long maxLsn;
    private boolean verified;

    /** @param object printable name of the object (for messages) */
    public SegmentReader(InputStream input, String object) {
        this.object = object;
        try {
            this.in = new DataFileStream<>(input, records);
        } catch (IOException | RuntimeException e) {
            throw new SegmentCorruptException(object, "not an Avro container: " + e.getMessage(), e);
        }
        this.meta = readMetadata();
        if (meta.format() == 2) {
            records.v2 = new CompactRecordReader(rowLayouts());
        }
        this.checksum = new SegmentChecksum(meta.topic(), meta.partition());
    }

    /** Reads only the header's metadata (does not verify the records). */
    public static SegmentMetadata metadata(InputStream input, String object) {
        SegmentReader r = new SegmentReader(input, object);
        return r.metadata();
    }

    public SegmentMetadata metadata() {
        return meta;
    }

    /**
     * The DDL records the header lists (offset order), empty when it holds none; {@code null} when the header does
     * not say (written before 2026-12-07, or a DDL record there did not decode): read the records to know.
     */
    public List<SegmentDdl> ddl() {
        String text = in.getMetaString(SegmentDdl.KEY);
        return text == null ? null : SegmentDdl.parse(text, object);
    }

    /** The next record, or null at the end once everything has been verified. */
    @SuppressWarnings("unchecked")
    public ArchivedRecord next() {
        if (verified) {
            return null;
        }
        ArchivedRecord r = null;
        boolean more = true;
        try {
            while (!block.hasNext() && (more = in.hasNext())) {
                Object o = in.next();
                block = o instanceof ArchivedRecord a ? List.of(a).iterator() : ((List<ArchivedRecord>) o).iterator();
            }
            if (more) {
                r = block.next();
            }
        } catch (RuntimeException e) {
            // Avro wraps I/O and codec failures in AvroRuntimeException; zstd-jni throws its own runtime errors

            throw new SegmentCorruptException(object, "cannot decode record after offset " + last + ": " + e.getMessage(), e);
        }
        if (!more) {
            verifyEnd();
            return null;
        }
        if (count > 0 && r.offset() <= last) {
            throw new SegmentCorruptException(object, "offset " + r.offset() + " does not increase after " + last);
        }
        if (r.offset() < meta.firstOffset() || r.offset() > meta.lastOffset()) {
            throw new SegmentCorruptException(object, "offset " + r.offset() + " outside " + meta.firstOffset() + "-" + meta.lastOffset());
        }
        if (count == 0) {
            first = r.offset();
            minLsn = r.commitLsn();
            maxLsn = r.commitLsn();
        }
        minLsn = Long.compareUnsigned(r.commitLsn(), minLsn) < 0 ? r.commitLsn() : minLsn;
        maxLsn = Long.compareUnsigned(r.commitLsn(), maxLsn) > 0 ? r.commitLsn() : maxLsn;
        last = r.offset();
        count++;
        checksum.update(r);
        return r;
    }

    /** Reads the rest and verifies; returns the metadata. */
    public SegmentMetadata verify() {
        while (next() != null) {
            // reading proves each record
        }
        return meta;
    }

    private void verifyEnd() {
        verified = true;
        if (count != meta.count()) {
            throw new SegmentCorruptException(object, "holds " + count + " records, metadata says " + meta.count());
        }
        if (first != meta.firstOffset() || last != meta.lastOffset()) {
            throw new SegmentCorruptException(object, "holds offsets " + first + "-" + last + ", metadata says "
                    + meta.firstOffset() + "-" + meta.lastOffset());
        }
        if (minLsn != meta.minCommitLsn() || maxLsn != meta.maxCommitLsn()) {
            throw new SegmentCorruptException(object, "commit LSN range does not match its metadata");
        }
        String actual = checksum.finish();
        if (!actual.equals(meta.checksum())) {
            throw new SegmentCorruptException(object, "checksum mismatch: computed " + actual + ", metadata says " + meta.checksum());
        }
    }

    private SegmentMetadata readMetadata() {
        try {
            int format = Integer.parseInt(required(SegmentMetadata.FORMAT_KEY));
            Schema expected = switch (format) {
                case 1 -> SegmentFormat.SCHEMA;
                case 2 -> SegmentFormat.COMPACT;
                default -> throw new SegmentCorruptException(object, "unsupported segment format " + format + " (this pgkb reads formats 1 and 2; a newer pgkb wrote it?)");
            };
            // The exact writer schema text is part of the format: a changed byte there is damage too.
            if (!expected.toString().equals(in.getMetaString("avro.schema"))) {
                throw new SegmentCorruptException(object, "unexpected writer schema for segment format " + format);
            }
            SegmentMetadata m = new SegmentMetadata(required(SegmentMetadata.TOPIC),
                    Integer.parseInt(required(SegmentMetadata.PARTITION)),
                    Long.parseLong(required(SegmentMetadata.FIRST_OFFSET)),
                    Long.parseLong(required(SegmentMetadata.LAST_OFFSET)),
                    Long.parseUnsignedLong(required(SegmentMetadata.MIN_COMMIT_LSN)),
                    Long.parseUnsignedLong(required(SegmentMetadata.MAX_COMMIT_LSN)),
                    Long.parseLong(required(SegmentMetadata.COUNT)),
                    required(SegmentMetadata.CHECKSUM), format);
            if (m.count() <= 0 || m.firstOffset() > m.lastOffset() || m.firstOffset() < 0) {
                throw new SegmentCorruptException(object, "impossible metadata " + m);
            }
            return m;
        } catch (NumberFormatException e) {
            throw new SegmentCorruptException(object, "unreadable metadata: " + e.getMessage(), e);
        }
    }

    private String required(String key) {
        String v = in.getMetaString(key);
        if (v == null) {
            throw new SegmentCorruptException(object, "metadata " + key + " missing");
        }
        return Objects.requireNonNull(v);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Format 2's row schemas from the metadata, by index. */
    private List<RowLayout> rowLayouts() {
        String count = in.getMetaString(SegmentFormat.ROW_SCHEMAS);
        int n;
        try {
            n = count == null ? 0 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            throw new SegmentCorruptException(object, "unreadable metadata " + SegmentFormat.ROW_SCHEMAS + ": " + count);
        }
        List<RowLayout> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String v = required(SegmentFormat.ROW_SCHEMA_PREFIX + k);
            RowLayout l = LAYOUTS.get(v);
            if (l == null) {
                l = parseLayout(v);
                if (l == null) {
                    throw new SegmentCorruptException(object, "unreadable metadata " + SegmentFormat.ROW_SCHEMA_PREFIX + k);
                }
                if (LAYOUTS.size() > 10_000) {
                    LAYOUTS.clear(); // one entry per row schema version seen; keep it bounded
                }
                LAYOUTS.put(v, l);
            }
            out.add(l);
        }
        return out;
    }

    /**
     * A row schema entry: the single-object header in hex, a space, the schema's parsing canonical form. Null unless
     * the schema's fingerprint is the one in the header, so a damaged schema cannot cut values differently.
     */
    private static RowLayout parseLayout(String v) {
        int space = v.indexOf(' ');
        try {
            byte[] header = HexFormat.of().parseHex(v.substring(0, Math.max(0, space)));
            if (header.length != SourceTail.SINGLE_OBJECT_HEADER || !SingleObjectCodec.isSingleObject(header)) {
                return null;
            }
            Schema schema = new Schema.Parser().parse(v.substring(space + 1));
            if (SingleObjectCodec.fingerprint64(schema) != SingleObjectCodec.fingerprintOf(header)) {
                return null;
            }
            return RowLayout.of(schema, header);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Decodes either format, by the container's writer schema (checked against the format in readMetadata): format 1
     * gives one {@link ArchivedRecord} per item, format 2 a list per block.
     */
    private static final class Records implements DatumReader<Object> {
        private GenericDatumReader<GenericRecord> v1;
        private CompactRecordReader v2;

        @Override
        public void setSchema(Schema writer) {
            if (writer.equals(SegmentFormat.SCHEMA)) {
                v1 = new GenericDatumReader<>(SegmentFormat.SCHEMA);
            }
        }

        @Override
        public Object read(Object reuse, Decoder decoder) throws IOException {
            if (v2 != null) {
                return v2.readBlock(decoder);
            }
            if (v1 != null) {
                return SegmentFormat.fromAvro(v1.read(null, decoder));
            }
            throw new IOException("unknown writer schema");
        }
    }
}
