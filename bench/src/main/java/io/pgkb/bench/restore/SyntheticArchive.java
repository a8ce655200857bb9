package io.pgkb.bench.restore;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.Topics;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The restore benchmark's data: the bench table's shape ({@code -Dwide=N} extra text columns) and its synthetic change
 * stream, deterministic from its seed, written as the archiver would archive it (segments with the writer schemas
 * stored, one CONFIRM progress record after the last transaction).
 */
final class SyntheticArchive {
    /** Extra text columns e1..eN (-Dwide=N). */
    static final int WIDE = Integer.getInteger("wide", 0);

    private SyntheticArchive() {
    }

    /** {@code ", e1 text, e2 text, ..."}: the extra columns as a table definition has them. */
    static String extraDefs() {
        StringBuilder b = new StringBuilder();
        for (int k = 1; k <= WIDE; k++) {
            b.append(", e").append(k).append(" text");
        }
        return b.toString();
    }

    /** Extra column k's value in a row whose v is {@code v}. */
    static String extra(int k, int v) {
        return "e" + k + "-" + v;
    }

    /** The synthetic change stream, deterministic from its seed; calls back per change: op, id, v. */
    interface Sink {
        void change(int i, Op op, long id, int v) throws Exception;
    }

    static void generate(int rows, int changes, int hot, Sink sink) throws Exception {
        Random r = new Random(7);
        BitSet present = new BitSet(rows + changes + 2);
        present.set(1, rows + 1);
        long nextNew = rows + 1L;
        for (int i = 0; i < changes; i++) {
            double p = r.nextDouble();
            long id;
            if (p < 0.8) {
                id = 1 + r.nextInt(hot);
                if (!present.get((int) id)) {
                    present.set((int) id);
                    sink.change(i, Op.INSERT, id, r.nextInt(1000));
                } else if (p < 0.6) {
                    sink.change(i, Op.UPDATE, id, r.nextInt(1000));
                } else {
                    present.clear((int) id);
                    sink.change(i, Op.DELETE, id, 0);
                }
            } else {
                id = nextNew++;
                present.set((int) id);
                sink.change(i, Op.INSERT, id, r.nextInt(1000));
            }
        }
    }

    static long writeChanges(ObjectStore store, long d, int rows, int changes, int hot, Path dir) throws Exception {
        ArchiveLayout layout = new ArchiveLayout(RestoreBench.PREFIX);
        List<ColumnDef> columns = new ArrayList<>(List.of(new ColumnDef("id", 20, -1, "bigint", true),
                new ColumnDef("v", 23, -1, "integer", false), new ColumnDef("s", 25, -1, "text", false)));
        for (int k = 1; k <= WIDE; k++) {
            columns.add(new ColumnDef("e" + k, 25, -1, "text", false));
        }
        RelationDef rel = new RelationDef(1, RestoreBench.TABLE, 'd', columns);
        ChangeEnvelopes env = new ChangeEnvelopes(rel);
        for (Schema s : new Schema[] {env.schemas().key(), env.schemas().value()}) {
            store.put(layout.schema(SingleObjectCodec.fingerprint(s)), s.toString().getBytes(StandardCharsets.UTF_8));
        }
        String topic = RestoreBench.TABLE.topic(RestoreBench.PREFIX);
        int perSegment = 200_000;
        SegmentWriter[] w = {null};
        long base = d + 1000;
        long[] last = {0};
        generate(rows, changes, hot, (i, op, id, v) -> {
            if (i % perSegment == 0) {
                finish(store, layout, w[0]);
                // as the archiver does: it knows the writer schemas from _schemas and stores rows column by column
                w[0] = new SegmentWriter(dir.resolve("spool-" + i), topic, 0,
                        new MapSchemaResolver(env.schemas().key(), env.schemas().value()));
            }
            long commit = base + (i / 10) * 1000L;
            long seq = i % 10;
            List<String> values = new ArrayList<>();
            values.add(Long.toString(id));
            values.add(op == Op.DELETE ? null : Integer.toString(v));
            values.add(op == Op.DELETE ? null : "changed " + i);
            for (int k = 1; k <= WIDE; k++) {
                values.add(op == Op.DELETE ? null : extra(k, v));
            }
            GenericRecord row = env.row(values);
            GenericRecord value = op == Op.DELETE
                    ? env.value(op, row, null, List.of(), new ChangeSource(commit, commit, 1000 + i / 10, 1_700_000_000_000_000L + i, seq, RestoreBench.TABLE))
                    : env.value(op, null, row, List.of(), new ChangeSource(commit, commit, 1000 + i / 10, 1_700_000_000_000_000L + i, seq, RestoreBench.TABLE));
            byte[] k = SingleObjectCodec.encode(env.schemas().key(), env.key(row));
            byte[] val = SingleObjectCodec.encode(env.schemas().value(), value);
            w[0].append(new ArchivedRecord(i, 0, k, val, List.of(), commit, seq));
            last[0] = commit;
        });
        finish(store, layout, w[0]);
        // one CONFIRM after the last transaction bounds partition 0 at `changes`
        Schema progress = new Schema.Parser().parse(SyntheticArchive.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc"));
        GenericRecord pr = new GenericData.Record(progress);
        pr.put("kind", new GenericData.EnumSymbol(progress.getField("kind").schema(), "CONFIRM"));
        pr.put("confirmed_lsn", last[0] + 100);
        pr.put("last_commit_lsn", last[0]);
        pr.put("commit_time", 1_800_000_000_000_000L);
        GenericRecord po = new GenericData.Record(progress.getField("offsets").schema().getElementType());
        po.put("topic", topic);
        po.put("partition", 0);
        po.put("next_offset", (long) changes);
        pr.put("offsets", List.of(po));
        pr.put("slot", "bench");
        pr.put("written_at", 1_800_000_000_000_000L);
        try (SegmentWriter pw = new SegmentWriter(dir.resolve("spool-progress"), new Topics(RestoreBench.PREFIX).progress(), 0)) {
            pw.append(new ArchivedRecord(0, 0, null, SingleObjectCodec.encode(progress, pr), List.of(), last[0] + 100, 0));
            try (ObjectStore.ObjectWriter out = store.create(layout.progressSegmentsDir(0) + ArchiveLayout.segmentName(0, 0))) {
                pw.finish(out);
                out.commit();
            }
        }
        return last[0];
    }

    static void finish(ObjectStore store, ArchiveLayout layout, SegmentWriter w) throws Exception {
        if (w == null) {
            return;
        }
        try (ObjectStore.ObjectWriter out = store.create(layout.segmentsDir(RestoreBench.TABLE, 0) + ArchiveLayout.segmentName(w.firstOffset(), w.lastOffset()))) {
            w.finish(out);
            out.commit();
        }
    }
}
