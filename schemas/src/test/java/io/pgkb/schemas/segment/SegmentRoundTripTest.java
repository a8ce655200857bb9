package io.pgkb.schemas.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.SchemaResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentRoundTripTest {
    @TempDir
    Path dir;

    private static ArchivedRecord record(long offset, long lsn, Random rnd) {
        byte[] value = new byte[rnd.nextInt(offset < 1000 ? 40 : 300)];
        rnd.nextBytes(value);
        byte[] key = offset % 7 == 0 ? null : ("k" + offset).getBytes(StandardCharsets.UTF_8);
        List<ArchivedRecord.RecordHeader> headers = List.of(
                new ArchivedRecord.RecordHeader("pgkb.commit_lsn", ("0/" + Long.toHexString(lsn)).getBytes(StandardCharsets.UTF_8)),
                new ArchivedRecord.RecordHeader("pgkb.empty", null));
        return new ArchivedRecord(offset, 1_700_000_000_000L + offset, key, value, headers, lsn, offset % 3);
    }

    private byte[] writeSegment(List<ArchivedRecord> records) throws IOException {
        return writeSegment(records, null);
    }

    private byte[] writeSegment(List<ArchivedRecord> records, SchemaResolver schemas) throws IOException {
        Path spool = dir.resolve("spool/seg.spool");
        SegmentWriter w = new SegmentWriter(spool, "pgkb.public.t", 3, schemas);
        for (ArchivedRecord r : records) {
            w.append(r);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SegmentMetadata m = w.finish(out);
        assertThat(Files.exists(spool)).as("spool deleted after finish").isFalse();
        assertThat(m.count()).isEqualTo(records.size());
        return out.toByteArray();
    }

    @Test
    void roundTripKeepsEveryByteAndMetadata() throws IOException {
        Random rnd = new Random(1);
        List<ArchivedRecord> in = new ArrayList<>();
        long offset = 10;
        for (int i = 0; i < 5000; i++) {
            offset += 1 + (i % 10 == 0 ? 2 : 0); // gaps as after compaction / transaction markers
            in.add(record(offset, 0x1000_0000L + i / 4 * 100, rnd));
        }
        byte[] bytes = writeSegment(in);

        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(bytes), "mem:seg")) {
            SegmentMetadata m = r.metadata();
            assertThat(m.topic()).isEqualTo("pgkb.public.t");
            assertThat(m.partition()).isEqualTo(3);
            assertThat(m.firstOffset()).isEqualTo(in.get(0).offset());
            assertThat(m.lastOffset()).isEqualTo(in.get(in.size() - 1).offset());
            assertThat(m.minCommitLsn()).isEqualTo(0x1000_0000L);
            assertThat(m.maxCommitLsn()).isEqualTo(in.get(in.size() - 1).commitLsn());
            assertThat(m.count()).isEqualTo(5000);
            assertThat(m.checksum()).hasSize(64);
            List<ArchivedRecord> out = new ArrayList<>();
            for (ArchivedRecord a; (a = r.next()) != null; ) {
                out.add(a);
            }
            SegmentFormatCompatibilityTest.assertSameRecords(out, in); // every field and header, byte for byte
        }
    }

    @Test
    void headerListsTheDdlRecordsOrSaysItDoesNotKnow() throws IOException {
        Random rnd = new Random(3);
        io.pgkb.schemas.DdlEvent ddl = new io.pgkb.schemas.DdlEvent(1, 42, "ALTER TABLE", true, false, List.of(), null, null,
                0x2000_0010L, 0x2000_0020L, 7, 1_700_000_000_000_000L, 4, "public.t");
        ArchivedRecord d = new ArchivedRecord(2, 1L, null, ddl.encode(), List.of(), 0x2000_0020L, 4);
        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(writeSegment(List.of(record(1, 0x2000_0000L, rnd), d,
                record(3, 0x2000_0030L, rnd)))), "mem:ddl")) {
            assertThat(r.ddl()).containsExactly(new SegmentDdl(2, 0x2000_0020L, 4, true, false, "ALTER TABLE"));
        }
        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(writeSegment(List.of(record(1, 0x2000_0000L, rnd)))), "mem:none")) {
            assertThat(r.ddl()).isEmpty();
        }
        byte[] broken = ddl.encode();
        ArchivedRecord bad = new ArchivedRecord(2, 1L, null, Arrays.copyOf(broken, 12), List.of(), 0x2000_0020L, 4);
        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(writeSegment(List.of(bad))), "mem:bad")) {
            assertThat(r.ddl()).as("a DDL record that does not decode: the header does not say").isNull();
        }
        // registry mode frames values with a schema id: found by its pgkb.op header, never listed as "no DDL"
        ArchivedRecord framed = new ArchivedRecord(2, 1L, null, io.pgkb.schemas.ConfluentFraming.fromSingleObject(ddl.encode(), 9),
                List.of(new ArchivedRecord.RecordHeader("pgkb.op", "DDL".getBytes(StandardCharsets.UTF_8))), 0x2000_0020L, 4);
        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(writeSegment(List.of(framed))), "mem:framed")) {
            assertThat(r.ddl()).as("no resolver for the id: the header does not say").isNull();
        }
    }

    @Test
    void sameRecordsGiveIdenticalBytes() throws IOException {
        List<ArchivedRecord> in = new ArrayList<>();
        Random rnd = new Random(2);
        for (int i = 0; i < 100; i++) {
            in.add(record(i, 5000 + i, rnd));
        }
        byte[] a = writeSegment(in);
        byte[] b = writeSegment(in);
        // Avro's sync marker is random per file, so bytes differ; what must agree is the proven content.
        SegmentMetadata ma = new SegmentReader(new ByteArrayInputStream(a), "a").verify();
        SegmentMetadata mb = new SegmentReader(new ByteArrayInputStream(b), "b").verify();
        assertThat(ma).isEqualTo(mb);
    }

    /**
     * Flips one bit at every position of a segment: either the reader reports the object corrupt, or (a flip in
     * bytes that do not carry content, such as an unused zstd frame-header bit) it returns exactly the original
     * records. Never different data.
     */
    @Test
    void everySingleFlippedByteIsDetectedOrHarmless() throws IOException {
        List<ArchivedRecord> in = new ArrayList<>();
        Random rnd = new Random(3);
        for (int i = 0; i < 40; i++) {
            in.add(record(i, 7000 + i, rnd));
        }
        assertEveryFlipDetectedOrHarmless(in);
    }

    /** The same for records as pgkb's producer writes them, stored with their derivable parts left out, rows in columns. */
    @Test
    void everySingleFlippedByteOfDerivedRecordsIsDetectedOrHarmless() throws IOException {
        assertEveryFlipDetectedOrHarmless(CompactRecordTest.producerRecords(new Random(5), 40), CompactRecordTest.SCHEMAS);
    }

    /**
     * The reader decompresses each block's columns into buffers it keeps from block to block: bytes an earlier, larger
     * block left behind in them must never be read as the later block's. Flips in the last block of a segment of
     * several are detected or harmless (a sample of positions: every one would take minutes).
     */
    @Test
    void flipsInALaterBlockAreDetectedOrHarmlessBesideWhatEarlierBlocksLeftInTheBuffers() throws IOException {
        List<ArchivedRecord> in = CompactRecordTest.producerRecords(new Random(8), 2500);
        byte[] good = writeSegment(in, CompactRecordTest.SCHEMAS);
        List<ArchivedRecord> original = readAll(good);
        SegmentFormatCompatibilityTest.assertSameRecords(original, in);
        try (var blocks = new org.apache.avro.file.DataFileStream<>(new ByteArrayInputStream(good),
                new org.apache.avro.generic.GenericDatumReader<>())) {
            int n = 0;
            for (Object ignored : blocks) {
                n++;
            }
            assertThat(n).as("segment blocks").isGreaterThanOrEqualTo(3);
        }
        Random rnd = new Random(9);
        int from = good.length * 3 / 4;
        int detected = 0;
        int tries = 400;
        for (int t = 0; t < tries; t++) {
            byte[] bad = good.clone();
            int pos = from + rnd.nextInt(good.length - from);
            bad[pos] ^= (byte) (1 << rnd.nextInt(8));
            try {
                assertThat(readAll(bad)).as("flip at %d went unnoticed and changed content", pos)
                        .usingRecursiveFieldByFieldElementComparator().isEqualTo(original);
            } catch (SegmentCorruptException e) {
                detected++;
            }
        }
        assertThat(detected).isGreaterThan(tries * 9 / 10);
    }

    private void assertEveryFlipDetectedOrHarmless(List<ArchivedRecord> in) throws IOException {
        assertEveryFlipDetectedOrHarmless(in, null);
    }

    private void assertEveryFlipDetectedOrHarmless(List<ArchivedRecord> in, SchemaResolver schemas) throws IOException {
        byte[] good = writeSegment(in, schemas);
        List<ArchivedRecord> original = readAll(good);
        int detected = 0;
        for (int pos = 0; pos < good.length; pos++) {
            byte[] bad = good.clone();
            bad[pos] ^= 0x01;
            try {
                List<ArchivedRecord> got = readAll(bad);
                assertThat(got).as("flip at %d went unnoticed and changed content", pos)
                        .usingRecursiveFieldByFieldElementComparator().isEqualTo(original);
            } catch (SegmentCorruptException e) {
                assertThat(e.getMessage()).contains("s3://b/seg.avro");
                detected++;
            }
        }
        assertThat(detected).isGreaterThan(good.length * 9 / 10);
    }

    private static List<ArchivedRecord> readAll(byte[] bytes) throws IOException {
        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(bytes), "s3://b/seg.avro")) {
            return SegmentFormatCompatibilityTest.readAll(r);
        }
    }

    @Test
    void truncatedObjectIsCorrupt() throws IOException {
        List<ArchivedRecord> in = new ArrayList<>();
        Random rnd = new Random(4);
        for (int i = 0; i < 3000; i++) {
            in.add(record(i, 1 + i, rnd));
        }
        byte[] good = writeSegment(in);
        byte[] cut = Arrays.copyOf(good, good.length / 2);
        assertThatThrownBy(() -> new SegmentReader(new ByteArrayInputStream(cut), "cut.avro").verify())
                .isInstanceOf(SegmentCorruptException.class)
                .hasMessageContaining("cut.avro");
    }

    @Test
    void abandonedWriterLeavesNoSpool() throws IOException {
        Path spool = dir.resolve("abandon.spool");
        Random rnd = new Random(5);
        try (SegmentWriter w = new SegmentWriter(spool, "t", 0)) {
            w.append(record(1, 1, rnd));
            assertThat(Files.exists(spool)).as("the spool file is created with the first full block").isFalse();
            for (long o = 2; o < 100_000 && !Files.exists(spool); o++) {
                w.append(record(o, o, rnd));
            }
            assertThat(Files.exists(spool)).isTrue();
        }
        assertThat(Files.exists(spool)).isFalse();
    }
}
