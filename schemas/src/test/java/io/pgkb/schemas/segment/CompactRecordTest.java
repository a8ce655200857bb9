package io.pgkb.schemas.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.Fixtures;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment format 2 keeps every byte: records as pgkb's producer writes them come back exactly and are stored with
 * their derivable parts left out; records that deviate in any way (other headers, odd LSN text, a value that does
 * not end with the source fields, ...) come back exactly too, kept literally.
 */
class CompactRecordTest {
    private static final ChangeEnvelopes ENV = new ChangeEnvelopes(Fixtures.orders());
    /** The writer schemas of {@link #producerRecords}, as the archiver knows them from {@code _schemas}. */
    static final SchemaResolver SCHEMAS = new MapSchemaResolver(ENV.schemas().value(), ENV.schemas().key());

    @TempDir
    Path dir;

    @Test
    void producerRecordsRoundTripWithTheirDerivablePartsLeftOutAndRowsInColumns() throws IOException {
        List<ArchivedRecord> records = producerRecords(new Random(7), 2000);
        byte[] segment = write(records, SCHEMAS);

        assertSameRecords(read(segment), records);
        List<GenericRecord> stored = containerRecords(segment);
        assertThat(stored).hasSize(records.size());
        for (GenericRecord g : stored) {
            assertThat(g.get("source")).as("source fields stored apart").isNotNull();
            assertThat(g.get("row_schema")).as("rows in columns").isEqualTo(0);
            assertThat(g.get("headers")).as("headers derived").isNull();
            assertThat(g.get("order")).as("order key derived").isNull();
        }
    }

    @Test
    void withoutWriterSchemasRowsStayInTheValue() throws IOException {
        List<ArchivedRecord> records = producerRecords(new Random(8), 500);
        byte[] segment = write(records, null);

        assertSameRecords(read(segment), records);
        assertThat(containerRecords(segment)).allSatisfy(g -> assertThat(g.get("row_schema")).isNull());
    }

    @Test
    void severalRowSchemasInOneSegmentAndBlock() throws IOException {
        ChangeEnvelopes narrow = new ChangeEnvelopes(Fixtures.orders(Fixtures.ordersColumns().subList(0, 3)));
        MapSchemaResolver both = new MapSchemaResolver(ENV.schemas().value(), narrow.schemas().value());
        Random rnd = new Random(9);
        List<ArchivedRecord> records = new ArrayList<>();
        for (ArchivedRecord r : producerRecords(rnd, 3000)) {
            if (rnd.nextInt(3) == 0 && r.value() != null) {
                ChangeSource src = new ChangeSource(r.offset() * 100, r.commitLsn(), 9, 0, r.seq(), Fixtures.ORDERS);
                byte[] v = SingleObjectCodec.encode(narrow.schemas().value(), narrow.value(Op.INSERT, null,
                        narrow.row(Arrays.asList(Long.toString(r.offset()), "2", "3.50")), List.of(), src));
                r = new ArchivedRecord(r.offset(), r.timestamp(), r.key(), v, List.of(), r.commitLsn(), r.seq());
            }
            records.add(r);
        }
        byte[] segment = write(records, both);

        assertSameRecords(read(segment), records);
        assertThat(containerRecords(segment)).extracting(g -> g.get("row_schema")).contains(0, 1);
    }

    @Test
    void deviatingRecordsRoundTripLiterally() throws IOException {
        Random rnd = new Random(11);
        List<ArchivedRecord> records = new ArrayList<>();
        long offset = 0;
        for (ArchivedRecord r : producerRecords(rnd, 3000)) {
            offset += 1 + rnd.nextInt(3);
            records.add(deviate(new ArchivedRecord(offset, r.timestamp(), r.key(), r.value(), r.headers(), r.commitLsn(), r.seq()), rnd));
        }
        byte[] segment = write(records);

        assertSameRecords(read(segment), records);
        long literal = containerRecords(segment).stream().filter(g -> g.get("headers") != null).count();
        assertThat(literal).as("some records keep their headers literally, some derive them").isBetween(1L, 2999L);
    }

    @Test
    void formatTwoSegmentIsFarSmallerThanFormatOne() throws IOException {
        List<ArchivedRecord> records = producerRecords(new Random(3), 5000);
        long v1 = SegmentFormatCompatibilityTest.formatOneSize(records, dir.resolve("v1.avro"));
        long v2 = write(records).length;
        assertThat(v2).as("format 2 bytes vs format 1 bytes (%d)", v1).isLessThan(v1 * 3 / 4);
    }

    /**
     * Change records of the orders fixture as KafkaChangeWriter sends them: 10 changes a transaction. Feeds
     * golden-v2.avro: a change here (or in the orders fixture) must come with a new golden file, never silently.
     */
    static List<ArchivedRecord> producerRecords(Random rnd, int n) {
        List<ArchivedRecord> out = new ArrayList<>();
        long lsn = 0x16B374D848L;
        long xid = 700;
        long commitLsn = 0;
        long time = 1_705_314_030_500_000L;
        long seq = 0;
        for (int i = 0; i < n; i++) {
            if (i % 10 == 0) {
                xid++;
                seq = 0;
                commitLsn = lsn + 10 * 120 + rnd.nextInt(100);
                time += rnd.nextInt(5000);
            }
            lsn += 40 + rnd.nextInt(200);
            Op op = i % 97 == 0 ? Op.TRUNCATE : Op.values()[rnd.nextInt(3)];
            String id = Integer.toString(rnd.nextInt(100_000));
            var after = op == Op.INSERT || op == Op.UPDATE
                    ? ENV.row(Arrays.asList(id, "1", rnd.nextInt(1000) + ".25", "note " + rnd.nextInt(50), null, "{a,b}", null))
                    : null;
            var before = op == Op.DELETE ? ENV.row(Arrays.asList(id, "1", null, null, null, null, null)) : null;
            ChangeSource src = new ChangeSource(lsn, commitLsn, xid, time, seq, Fixtures.ORDERS);
            byte[] value = SingleObjectCodec.encode(ENV.schemas().value(), ENV.value(op, before, after, List.of(), src));
            var keyRow = after != null ? after : before;
            byte[] key = keyRow == null ? null : SingleObjectCodec.encode(ENV.schemas().key(), ENV.key(keyRow));
            List<ArchivedRecord.RecordHeader> headers = List.of(
                    header("pgkb.op", op.name()),
                    header("pgkb.table", Fixtures.ORDERS.qualified()),
                    header("pgkb.lsn", Lsn.of(lsn).toString()),
                    header("pgkb.commit_lsn", Lsn.of(commitLsn).toString()),
                    header("pgkb.xid", Long.toString(xid)),
                    header("pgkb.seq", Long.toString(seq)));
            out.add(new ArchivedRecord(1000 + i, 1_705_314_030_000L + i / 10, key, value, headers, commitLsn, seq));
            seq++;
        }
        return out;
    }

    /** The records of golden-v2.avro: producer records, every tenth changed in one way (see deviate). */
    static List<ArchivedRecord> goldenRecords() {
        Random rnd = new Random(2026);
        List<ArchivedRecord> out = new ArrayList<>();
        for (ArchivedRecord r : producerRecords(rnd, 1500)) {
            out.add(r.offset() % 10 == 0 ? deviate(r, rnd) : r);
        }
        return out;
    }

    /** Each record changed in one way a record from elsewhere (or a damaged producer) could differ, or unchanged. */
    private static ArchivedRecord deviate(ArchivedRecord r, Random rnd) {
        List<ArchivedRecord.RecordHeader> h = new ArrayList<>(r.headers());
        byte[] value = r.value();
        long commitLsn = r.commitLsn();
        long seq = r.seq();
        switch (rnd.nextInt(12)) {
            case 0 -> h.add(header("trace-id", "abc"));
            case 1 -> h.set(2, header("pgkb.lsn", "0/" + "0000" + Long.toHexString(Lsn.parse(text(h.get(2))).asLong() & 0xFFFFFFFFL)));
            case 2 -> h.set(4, header("pgkb.xid", "+" + text(h.get(4))));
            case 3 -> h.set(1, new ArchivedRecord.RecordHeader("pgkb.table", new byte[] {(byte) 0xC3, (byte) 0x28}));
            case 4 -> h.remove(5);
            case 5 -> value = Arrays.copyOf(value, value.length - 1);
            case 6 -> value = null;
            case 7 -> commitLsn = commitLsn + 1;
            case 8 -> seq = seq + 1;
            case 9 -> h.set(0, new ArchivedRecord.RecordHeader("pgkb.op", null));
            case 10 -> {
                value = new byte[rnd.nextInt(40)];
                rnd.nextBytes(value);
            }
            default -> {
                // unchanged
            }
        }
        return new ArchivedRecord(r.offset(), r.timestamp(), r.key(), value, h, commitLsn, seq);
    }

    private byte[] write(List<ArchivedRecord> records) throws IOException {
        return write(records, SCHEMAS);
    }

    private byte[] write(List<ArchivedRecord> records, SchemaResolver schemas) throws IOException {
        SegmentWriter w = new SegmentWriter(dir.resolve("s.spool"), "pgkb.shop.order_20items", 0, schemas);
        for (ArchivedRecord r : records) {
            w.append(r);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(w.finish(out).format()).isEqualTo(2);
        return out.toByteArray();
    }

    private static List<ArchivedRecord> read(byte[] segment) throws IOException {
        try (SegmentReader r = new SegmentReader(new ByteArrayInputStream(segment), "mem")) {
            return SegmentFormatCompatibilityTest.readAll(r);
        }
    }

    /**
     * The stored records as Avro's own generic reader sees them (after the block's records frame is decompressed):
     * proves the writer follows SegmentBlock.avsc and CompactRecord.avsc.
     */
    @SuppressWarnings("unchecked")
    private static List<GenericRecord> containerRecords(byte[] segment) throws IOException {
        List<GenericRecord> out = new ArrayList<>();
        try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(segment),
                new GenericDatumReader<>(SegmentFormat.COMPACT))) {
            for (GenericRecord block : in) {
                ByteBuffer b = (ByteBuffer) block.get("records");
                byte[] frame = new byte[b.remaining()];
                b.get(frame);
                out.addAll((List<GenericRecord>) new GenericDatumReader<>(SegmentFormat.COMPACT_RECORDS)
                        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(BlockBuilder.decompress(frame), null)));
            }
        }
        return out;
    }

    private static void assertSameRecords(List<ArchivedRecord> read, List<ArchivedRecord> expected) {
        SegmentFormatCompatibilityTest.assertSameRecords(read, expected);
    }

    private static ArchivedRecord.RecordHeader header(String key, String value) {
        return new ArchivedRecord.RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ArchivedRecord.RecordHeader h) {
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
