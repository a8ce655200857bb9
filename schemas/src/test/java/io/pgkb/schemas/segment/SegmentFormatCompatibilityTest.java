package io.pgkb.schemas.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments already in archives must stay readable and their checksums must not change meaning: {@code golden-v1.avro}
 * was written by the first segment writer (256 KiB blocks, zstd 3, blocks spooled compressed) from {@link #records()}.
 */
class SegmentFormatCompatibilityTest {
    private static final String GOLDEN_CHECKSUM = "9242c76db7c29168b1607415cf8a48ddf718d0ac9981ba2d686dd6210c2a9175";

    @TempDir
    Path dir;

    @Test
    void readsSegmentsOfTheFirstWriter() throws IOException {
        List<ArchivedRecord> expected = records();
        try (InputStream in = getClass().getResourceAsStream("golden-v1.avro");
             SegmentReader r = new SegmentReader(in, "golden-v1.avro")) {
            assertThat(r.metadata().checksum()).isEqualTo(GOLDEN_CHECKSUM);
            assertThat(r.metadata().format()).isEqualTo(1);
            assertThat(r.metadata().count()).isEqualTo(expected.size());
            assertSameRecords(readAll(r), expected);
        }
    }

    /** golden-v2.avro: the first format-2 writer (2026-11-21) on {@link CompactRecordTest#goldenRecords()}. */
    @Test
    void readsSegmentsOfTheFirstFormatTwoWriter() throws IOException {
        List<ArchivedRecord> expected = CompactRecordTest.goldenRecords();
        try (InputStream in = getClass().getResourceAsStream("golden-v2.avro");
             SegmentReader r = new SegmentReader(in, "golden-v2.avro")) {
            assertThat(r.metadata().format()).isEqualTo(2);
            assertThat(r.metadata().checksum()).isEqualTo("e4151155e0855b9bc0cf77f1f7a2926bafbe2561a09436d750a33e2ed971ed02");
            assertSameRecords(readAll(r), expected);
        }
    }

    @Test
    void currentWriterComputesTheSameChecksumAndReadsBack() throws IOException {
        List<ArchivedRecord> expected = records();
        SegmentWriter w = new SegmentWriter(dir.resolve("s.spool"), "pgkb.public.golden", 2);
        for (ArchivedRecord a : expected) {
            w.append(a);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(w.finish(out).checksum()).isEqualTo(GOLDEN_CHECKSUM);
        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(out.toByteArray()), "mem")) {
            assertSameRecords(readAll(r), expected);
        }
    }

    /**
     * Bytes of a format-1 segment of these records (Avro's generic writer on ArchivedRecord.avsc, format 1's last codec
     * and block size), for size comparisons.
     */
    static long formatOneSize(List<ArchivedRecord> records, Path file) throws IOException {
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(SegmentFormat.SCHEMA))) {
            w.setCodec(CodecFactory.zstandardCodec(1)); // format 1's last codec
            w.setSyncInterval(SegmentFormat.BLOCK_BYTES);
            w.create(SegmentFormat.SCHEMA, file.toFile());
            for (ArchivedRecord r : records) {
                GenericRecord g = new GenericData.Record(SegmentFormat.SCHEMA);
                g.put("offset", r.offset());
                g.put("timestamp", r.timestamp());
                g.put("key", r.key() == null ? null : ByteBuffer.wrap(r.key()));
                g.put("value", r.value() == null ? null : ByteBuffer.wrap(r.value()));
                List<GenericRecord> hs = new ArrayList<>();
                for (ArchivedRecord.RecordHeader h : r.headers()) {
                    GenericRecord gh = new GenericData.Record(SegmentFormat.HEADER_SCHEMA);
                    gh.put("key", h.key());
                    gh.put("value", h.value() == null ? null : ByteBuffer.wrap(h.value()));
                    hs.add(gh);
                }
                g.put("headers", hs);
                g.put("commit_lsn", r.commitLsn());
                g.put("seq", r.seq());
                w.append(g);
            }
        }
        return Files.size(file);
    }

    /** Every record of the segment, in order, read to the end (so verified). */
    static List<ArchivedRecord> readAll(SegmentReader r) {
        List<ArchivedRecord> read = new ArrayList<>();
        for (ArchivedRecord a; (a = r.next()) != null; ) {
            read.add(a);
        }
        return read;
    }

    /** Every field and header of every record equal, in order. */
    static void assertSameRecords(List<ArchivedRecord> read, List<ArchivedRecord> expected) {
        assertThat(read).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            ArchivedRecord a = read.get(i);
            ArchivedRecord b = expected.get(i);
            assertThat(a.offset()).isEqualTo(b.offset());
            assertThat(a.timestamp()).isEqualTo(b.timestamp());
            assertThat(a.key()).isEqualTo(b.key());
            assertThat(a.value()).isEqualTo(b.value());
            assertThat(a.commitLsn()).isEqualTo(b.commitLsn());
            assertThat(a.seq()).isEqualTo(b.seq());
            assertThat(a.headers()).hasSize(b.headers().size());
            for (int h = 0; h < b.headers().size(); h++) {
                assertThat(a.headers().get(h).key()).isEqualTo(b.headers().get(h).key());
                assertThat(a.headers().get(h).value()).isEqualTo(b.headers().get(h).value());
            }
        }
    }

    /** 3000 records with offset gaps, null keys and values, several headers; fixed by the seed. */
    static List<ArchivedRecord> records() {
        Random rnd = new Random(42);
        List<ArchivedRecord> out = new ArrayList<>();
        long offset = 100;
        for (int i = 0; i < 3000; i++) {
            offset += 1 + rnd.nextInt(3);
            // text-like values: the file spans several blocks yet stays small as a test resource
            byte[] value = i % 11 == 0 ? null : ("{\"id\": " + i + ", \"balance\": " + rnd.nextInt(100000) + ", \"filler\": \""
                    + " ".repeat(rnd.nextInt(200)) + "\"}").getBytes(StandardCharsets.UTF_8);
            byte[] key = i % 7 == 0 ? null : ("key-" + rnd.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
            List<ArchivedRecord.RecordHeader> headers = new ArrayList<>();
            headers.add(new ArchivedRecord.RecordHeader("pgkb.op", "UPDATE".getBytes(StandardCharsets.UTF_8)));
            headers.add(new ArchivedRecord.RecordHeader("pgkb.commit_lsn", ("0/" + Long.toHexString(0x5000 + i)).getBytes(StandardCharsets.UTF_8)));
            if (i % 5 == 0) {
                headers.add(new ArchivedRecord.RecordHeader("ünïcode", null));
            }
            out.add(new ArchivedRecord(offset, 1_700_000_000_000L + i, key, value, headers, 0x5000L + i / 3, i % 3));
        }
        return out;
    }
}
