package io.pgkb.bench.archiver;

import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentReader;
import io.pgkb.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The size-vs-rate trade of the segment codec, measured on real archived records: re-encodes the records of the
 * segments under a prefix, one container per segment as the archiver does, with several zstd levels and block
 * sizes, and prints bytes and compression rate (uncompressed MB/s on one thread). Enabled with -Dsweep=true.
 */
final class CodecSweep {
    private static final long MAX_BYTES = 128L << 20;

    private CodecSweep() {
    }

    static void run(ObjectStore store, String prefix, long kafkaBytes) throws Exception {
        List<List<byte[]>> segments = new ArrayList<>();
        // per segment: the Kafka values alone, keys + values + headers (everything Kafka holds), whole records
        long[] parts = new long[3];
        Schema schema = null;
        long total = 0;
        for (ObjectStore.ObjectInfo o : store.list(prefix)) {
            if (!o.key().endsWith(".avro") || total > MAX_BYTES) {
                continue;
            }
            try (InputStream in = store.open(o.key());
                 DataFileStream<GenericRecord> s = new DataFileStream<>(in, new GenericDatumReader<>())) {
                schema = s.getSchema();
                GenericDatumWriter<GenericRecord> dw = new GenericDatumWriter<>(schema);
                List<byte[]> records = new ArrayList<>();
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                BinaryEncoder enc = null;
                while (s.hasNext()) {
                    buf.reset();
                    enc = EncoderFactory.get().binaryEncoder(buf, enc);
                    dw.write(s.next(), enc);
                    enc.flush();
                    records.add(buf.toByteArray());
                    total += buf.size();
                }
                segments.add(records);
            }
            breakdown(store, o.key(), parts);
        }
        if (total > MAX_BYTES) {
            System.out.println("codec sweep: only the first segments (" + total + " bytes) fit in memory; ratios are not comparable");
        }
        System.out.printf("codec sweep over %d segments, %d uncompressed bytes (kafka %d bytes):%n", segments.size(), total, kafkaBytes);
        System.out.printf("  lower bounds, one zstd 15 frame per segment (the whole segment as window): Kafka values alone %d bytes"
                + " (%.3f of kafka), keys+values+headers %d (%.3f), the stored records (this segment format) %d (%.3f)%n", parts[0],
                (double) parts[0] / kafkaBytes, parts[1], (double) parts[1] / kafkaBytes, parts[2], (double) parts[2] / kafkaBytes);
        for (int block : new int[] {256 << 10, 1 << 20, 4 << 20}) {
            for (int level : new int[] {1, 2, 3, 6, 9, 12}) {
                long t0 = System.nanoTime();
                long bytes = 0;
                for (List<byte[]> seg : segments) {
                    Counting out = new Counting();
                    try (DataFileWriter<Object> w = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
                        w.setCodec(CodecFactory.zstandardCodec(level));
                        w.setSyncInterval(block);
                        w.create(schema, out);
                        for (byte[] r : seg) {
                            w.appendEncoded(ByteBuffer.wrap(r));
                        }
                    }
                    bytes += out.n;
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("  block %5d KiB, zstd %2d: %10d bytes, archive/kafka %.3f, %6.1f MB/s%n", block >> 10, level,
                        bytes, (double) bytes / kafkaBytes, total / 1e6 / secs);
            }
        }
    }

    /**
     * Compressed sizes of a segment's values, of its Kafka payload (keys, values, headers; the records as the segment
     * reader rebuilds them) and of its stored records (as the container holds them, whatever the format).
     */
    private static void breakdown(ObjectStore store, String key, long[] parts) throws Exception {
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        try (SegmentReader r = new SegmentReader(store.open(key), key)) {
            for (ArchivedRecord a; (a = r.next()) != null; ) {
                write(values, a.value());
                write(payload, a.key());
                write(payload, a.value());
                for (ArchivedRecord.RecordHeader h : a.headers()) {
                    write(payload, h.key().getBytes(StandardCharsets.UTF_8));
                    write(payload, h.value());
                }
            }
        }
        try (InputStream in = store.open(key);
             DataFileStream<GenericRecord> s = new DataFileStream<>(in, new GenericDatumReader<>())) {
            GenericDatumWriter<GenericRecord> dw = new GenericDatumWriter<>(s.getSchema());
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(whole, null);
            while (s.hasNext()) {
                dw.write(s.next(), enc);
            }
            enc.flush();
        }
        parts[0] += com.github.luben.zstd.Zstd.compress(values.toByteArray(), 15).length;
        parts[1] += com.github.luben.zstd.Zstd.compress(payload.toByteArray(), 15).length;
        parts[2] += com.github.luben.zstd.Zstd.compress(whole.toByteArray(), 15).length;
    }

    private static void write(ByteArrayOutputStream out, byte[] bytes) {
        if (bytes != null) {
            out.write(bytes, 0, bytes.length);
        }
    }

    private static final class Counting extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }
}
