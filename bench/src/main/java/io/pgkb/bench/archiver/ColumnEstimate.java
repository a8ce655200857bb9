package io.pgkb.bench.archiver;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentReader;
import io.pgkb.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/** TEMPORARY estimate: size if each segment's row fields were stored column by column. */
final class ColumnEstimate {
    static void run(ObjectStore store, ArchiveLayout layout, long kafkaBytes) throws Exception {
        for (int blk : new int[] {500, 2000, 8000, 32000}) {
            for (int lvl : new int[] {1, 3}) {
                BLOCK = blk; LEVEL = lvl; sepBytes = 0; oneBytes = 0; sepBefore = 0;
                run1(store, layout, kafkaBytes);
            }
        }
    }

    static void run1(ObjectStore store, ArchiveLayout layout, long kafkaBytes) throws Exception {
        Map<Long, Schema> schemas = new HashMap<>();
        Map<String, Long> perTable = new TreeMap<>();
        long total = 0;
        for (ObjectStore.ObjectInfo o : store.list(layout.tablesRoot())) {
            if (!o.key().endsWith(".avro")) {
                continue;
            }
            Map<String, ByteArrayOutputStream> cols = new java.util.LinkedHashMap<>();
            int inBlock = 0;
            try (SegmentReader r = new SegmentReader(store.open(o.key()), o.key())) {
                long prevOff = 0, prevTs = 0, pl = 0, pc = 0, px = 0, pt = 0, ps = 0;
                BinaryEncoder enc = null;
                for (ArchivedRecord a; (a = r.next()) != null; ) {
                    if (++inBlock >= BLOCK) {
                        flush(cols);
                        inBlock = 0;
                    }
                    ByteArrayOutputStream meta = cols.computeIfAbsent("meta", k -> new ByteArrayOutputStream());
                    enc = EncoderFactory.get().directBinaryEncoder(meta, enc);
                    enc.writeLong(a.offset() - prevOff);
                    enc.writeLong(a.timestamp() - prevTs);
                    prevOff = a.offset();
                    prevTs = a.timestamp();
                    if (a.key() != null) {
                        cols.computeIfAbsent("key", k -> new ByteArrayOutputStream()).write(a.key());
                    }
                    if (a.value() == null) {
                        continue;
                    }
                    long fp = SingleObjectCodec.fingerprintOf(a.value());
                    Schema s = schemas.computeIfAbsent(fp, f -> load(store, layout, f));
                    GenericRecord v = new GenericDatumReader<GenericRecord>(s).read(null,
                            DecoderFactory.get().binaryDecoder(a.value(), 10, a.value().length - 10, null));
                    GenericRecord src = (GenericRecord) v.get("source");
                    long l = (Long) src.get("lsn"), c = (Long) src.get("commit_lsn"), x = (Long) src.get("xid"),
                            t = (Long) src.get("commit_time"), q = (Long) src.get("seq");
                    enc.writeLong(l - pl);
                    enc.writeLong(c - pc);
                    enc.writeLong(x - px);
                    enc.writeLong(t - pt);
                    enc.writeLong(q - ps);
                    pl = l; pc = c; px = x; pt = t; ps = q;
                    enc.writeInt(((org.apache.avro.generic.GenericEnumSymbol<?>) v.get("op")).getSchema().getEnumOrdinal(v.get("op").toString()));
                    for (String side : List.of("before", "after")) {
                        GenericRecord row = (GenericRecord) v.get(side);
                        enc.writeIndex(row == null ? 0 : 1);
                        if (row == null) {
                            continue;
                        }
                        for (Schema.Field f : row.getSchema().getFields()) {
                            ByteArrayOutputStream col = cols.computeIfAbsent(fp + side + f.pos(), k -> new ByteArrayOutputStream());
                            BinaryEncoder e2 = EncoderFactory.get().directBinaryEncoder(col, null);
                            new GenericDatumWriter<Object>(f.schema()).write(row.get(f.pos()), e2);
                        }
                    }
                    enc.writeArrayStart();
                    enc.writeArrayEnd();
                }
            }
            flush(cols);
            long seg = sepBytes - sepBefore;
            sepBefore = sepBytes;
            total += seg;
            String table = o.key().substring(layout.tablesRoot().length(), o.key().indexOf('/', layout.tablesRoot().length()));
            perTable.merge(table, seg, Long::sum);
        }
        System.out.printf("COLUMN ESTIMATE block %d records, level %d: separate %d bytes = %.3f, one frame per block %d = %.3f of kafka %d%n",
                BLOCK, LEVEL, sepBytes, (double) sepBytes / kafkaBytes, oneBytes, (double) oneBytes / kafkaBytes, kafkaBytes);

    }

    static int BLOCK = Integer.getInteger("colblock", 2000);
    static int LEVEL = Integer.getInteger("collevel", 1);
    static long sepBytes, oneBytes, sepBefore;

    private static void flush(Map<String, ByteArrayOutputStream> cols) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ByteArrayOutputStream b : cols.values()) {
            if (b.size() > 0) {
                sepBytes += com.github.luben.zstd.Zstd.compress(b.toByteArray(), LEVEL).length;
                all.write(b.toByteArray(), 0, b.size());
            }
            b.reset();
        }
        if (all.size() > 0) {
            oneBytes += com.github.luben.zstd.Zstd.compress(all.toByteArray(), LEVEL).length;
        }
    }

    private static Schema load(ObjectStore store, ArchiveLayout layout, long fp) {
        try (InputStream in = store.open(layout.schema(SingleObjectCodec.hex(fp)))) {
            return new Schema.Parser().parse(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
