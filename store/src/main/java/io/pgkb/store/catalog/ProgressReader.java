package io.pgkb.store.catalog;

import io.pgkb.schemas.Headers;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.store.catalog.ProgressRecord.Kind;
import io.pgkb.store.catalog.ProgressRecord.PartitionOffset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;

/** Reads every archived {@code _progress} record, in topic order, each offset once. */
public final class ProgressReader {
    private static final Schema PROGRESS = load();

    private ProgressReader() {
    }

    public static ProgressIndex index(ArchiveCatalog catalog) {
        return new ProgressIndex(read(catalog));
    }

    public static List<ProgressRecord> read(ArchiveCatalog catalog) {
        BinaryMessageDecoder<GenericRecord> decoder = decoder();
        List<ProgressRecord> out = new ArrayList<>();
        for (Map.Entry<Integer, List<SegmentRef>> e : catalog.progressSegments().entrySet()) {
            long next = 0;
            for (SegmentRef ref : e.getValue()) {
                if (ref.lastOffset() < next) {
                    continue;
                }
                if (ref.firstOffset() > next) {
                    throw new PgkbException.ArchiveIncompleteException("progress records missing: partition "
                            + e.getKey() + " offsets " + next + "-" + (ref.firstOffset() - 1)
                            + " (no segment object covers them before " + catalog.store().describe(ref.key()) + ")");
                }
                try (SegmentStream s = SegmentStream.open(catalog.store(), ref)) {
                    for (ArchivedRecord a = s.nextRecord(); a != null; a = s.nextRecord()) {
                        if (a.offset() < next) {
                            continue;
                        }
                        ProgressRecord r = decode(decoder, a.value(), a.offset(), catalog.store().describe(ref.key()));
                        out.add(withDdlCapture(r, a.headers()));
                        next = a.offset() + 1;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Per partition of the progress topic, the offset after the last archived record (what
     * {@link #read(ArchiveCatalog)} returns ends there): where a reader of the topic itself continues.
     */
    public static Map<Integer, Long> archivedEnd(ArchiveCatalog catalog) {
        Map<Integer, Long> out = new TreeMap<>();
        catalog.progressSegments().forEach((p, refs) -> out.put(p, refs.stream().mapToLong(SegmentRef::lastOffset).max().orElse(-1) + 1));
        return out;
    }

    /** A decoder of progress records; not thread-safe. */
    public static BinaryMessageDecoder<GenericRecord> decoder() {
        return new BinaryMessageDecoder<>(GenericData.get(), PROGRESS);
    }

    /** One progress record's value, read from the archive or from the topic; {@code where} names it in errors. */
    public static ProgressRecord decode(BinaryMessageDecoder<GenericRecord> decoder, byte[] value, long offset, String where) {
        GenericRecord r;
        try {
            r = decoder.decode(value);
        } catch (IOException | RuntimeException e) {
            throw new PgkbException.ArchiveIncompleteException("undecodable progress record at offset " + offset
                    + " in " + where + ": " + e.getMessage());
        }
        List<PartitionOffset> offsets = new ArrayList<>();
        for (Object o : (List<?>) r.get("offsets")) {
            GenericRecord po = (GenericRecord) o;
            offsets.add(new PartitionOffset(po.get("topic").toString(), (Integer) po.get("partition"), (Long) po.get("next_offset")));
        }
        Object mark = r.get("mark");
        Object markLsn = r.get("mark_lsn");
        Object fromLsn = r.get("from_lsn");
        return new ProgressRecord(offset, Kind.valueOf(r.get("kind").toString()), (Long) r.get("confirmed_lsn"),
                (Long) r.get("last_commit_lsn"), (Long) r.get("commit_time"), offsets,
                mark == null ? null : mark.toString(), markLsn == null ? 0 : (Long) markLsn,
                fromLsn == null ? 0 : (Long) fromLsn, r.get("slot").toString(), (Long) r.get("written_at"));
    }

    /** The record with the {@code pgkb.ddl_capture} header of its Kafka record, if it has one. */
    private static ProgressRecord withDdlCapture(ProgressRecord r, List<ArchivedRecord.RecordHeader> headers) {
        for (ArchivedRecord.RecordHeader h : headers) {
            if (Headers.DDL_CAPTURE.equals(h.key()) && h.value() != null) {
                return new ProgressRecord(r.offset(), r.kind(), r.confirmedLsn(), r.lastCommitLsn(), r.commitTimeMicros(),
                        r.offsets(), r.mark(), r.markLsn(), r.fromLsn(), r.slot(), r.writtenAtMicros(),
                        new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return r;
    }

    private static Schema load() {
        try (InputStream in = ProgressReader.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
