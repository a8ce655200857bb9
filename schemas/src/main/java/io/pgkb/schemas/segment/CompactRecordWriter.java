package io.pgkb.schemas.segment;

import io.pgkb.schemas.Headers;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * Encodes the records of ONE segment, in order, as {@code CompactRecord}s of {@code SegmentBlock.avsc} (segment
 * format 2): differences to the record before, the value's {@link SourceTail} apart, its rows' fields into the
 * block's columns ({@link RowLayout}, when the value's writer schema is known), and the producer's headers as
 * "derived" when they are exactly {@link DerivedHeaders}. Anything that does not fit is kept literally, so any Kafka
 * record round-trips. Straight calls on the encoder (no generic records): this runs for every archived record;
 * {@code CompactRecordTest} reads the output with Avro's generic reader to prove the layout follows the schema.
 */
final class CompactRecordWriter {
    private final DerivedHeaders derived = new DerivedHeaders();
    private final SchemaResolver schemas;
    /** Per value fingerprint whose schema is known: its layout, empty if values of that schema cannot be cut. */
    private final Map<Long, Optional<RowLayout>> layouts = new HashMap<>();
    /** The segment's row schemas, index = {@code row_schema}. */
    private final List<RowLayout> used = new ArrayList<>();
    private final Map<RowLayout, Integer> index = new IdentityHashMap<>();
    private final RowLayout.Cut cut = new RowLayout.Cut();
    /** The layout of the last value's fingerprint (null: none yet), kept apart from the map to skip boxing and hashing. */
    private long lastFingerprint;
    private Optional<RowLayout> lastLayout;
    private byte[] skeleton = new byte[64];
    private long offset;
    private long timestamp;
    /** The source fields of the last record that had them; the next one's are stored as differences to these. */
    private SourceTail previous = SourceTail.NONE;

    /** @param schemas resolves value fingerprints to writer schemas; null stores no rows in columns */
    CompactRecordWriter(SchemaResolver schemas) {
        this.schemas = schemas;
    }

    /** The row schemas the records so far refer to, by {@code row_schema} index: the segment's metadata lists them. */
    List<RowLayout> rowLayouts() {
        return used;
    }

    void write(ArchivedRecord r, BlockBuilder block) throws IOException {
        BinaryBuffer out = block.records();
        out.writeLong(r.offset() - offset);
        out.writeLong(r.timestamp() - timestamp);
        offset = r.offset();
        timestamp = r.timestamp();
        block.key(r.key());
        SourceTail t = SourceTail.split(r.value(), tableOf(r));
        if (t == null) {
            writeLiterally(r, out);
            return;
        }
        writeValue(r.value(), t.prefixLength(), block, out);
        out.writeIndex(1);
        SourceTail p = previous;
        out.writeLong(t.lsn() - p.lsn());
        out.writeLong(t.commitLsn() - p.commitLsn());
        out.writeLong(t.xid() - p.xid());
        out.writeLong(t.commitTime() - p.commitTime());
        out.writeLong(t.seq() - p.seq());
        if (Arrays.equals(t.table(), p.table())) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeBytes(t.table(), 0, t.table().length); // an Avro string: tableOf took only names that are their own UTF-8
        }
        previous = t;
        if (derived.matches(r.headers(), SourceTail.opIndex(r.value(), t.prefixLength()), t)) {
            out.writeIndex(0);
        } else {
            writeHeaders(r, out);
        }
        if (r.commitLsn() == t.commitLsn() && r.seq() == t.seq()) {
            out.writeIndex(0);
        } else {
            writeOrder(r, out);
        }
    }

    /** The value before its source fields: cut into skeleton and columns if its schema allows, else literally. */
    private void writeValue(byte[] v, int limit, BlockBuilder block, BinaryBuffer out) throws IOException {
        RowLayout l = layoutOf(v, limit);
        if (l == null || !l.cut(v, limit, cut)) {
            out.writeNullableBytes(v, 0, limit);
            out.writeIndex(0);
            return;
        }
        int n = 0;
        n = appendSkeleton(v, SourceTail.SINGLE_OBJECT_HEADER, cut.opEnd, n);
        n = appendSkeleton(v, cut.branchStart[RowLayout.BEFORE], cut.branchEnd[RowLayout.BEFORE], n);
        n = appendSkeleton(v, cut.branchStart[RowLayout.AFTER], cut.branchEnd[RowLayout.AFTER], n);
        n = appendSkeleton(v, cut.unchangedStart, limit, n);
        out.writeNullableBytes(skeleton, 0, n);
        Integer k = index.get(l);
        if (k == null) {
            k = used.size();
            used.add(l);
            index.put(l, k);
        }
        out.writeIndex(1);
        out.writeLong(k);
        for (int side = RowLayout.BEFORE; side <= RowLayout.AFTER; side++) {
            if (cut.present[side]) {
                int fields = l.fields[side].length;
                int base = block.columnBase(k, side, fields);
                int[] ends = cut.ends(side, fields);
                int start = cut.branchEnd[side];
                for (int i = 0; i < fields; i++) {
                    block.column(base + i, v, start, ends[i] - start);
                    start = ends[i];
                }
            }
        }
    }

    private int appendSkeleton(byte[] v, int from, int to, int n) {
        int len = to - from;
        if (n + len > skeleton.length) {
            skeleton = Arrays.copyOf(skeleton, Math.max(2 * skeleton.length, n + len));
        }
        System.arraycopy(v, from, skeleton, n, len);
        return n + len;
    }

    private RowLayout layoutOf(byte[] v, int limit) {
        if (schemas == null || limit <= SourceTail.SINGLE_OBJECT_HEADER || !SingleObjectCodec.isSingleObject(v)) {
            return null;
        }
        long fp = SingleObjectCodec.fingerprintOf(v);
        if (lastLayout != null && fp == lastFingerprint) {
            return lastLayout.orElse(null); // a partition's values mostly share one schema
        }
        Optional<RowLayout> l = layouts.get(fp);
        if (l == null) {
            Schema s = schemas.findByFingerprint(fp);
            if (s == null) {
                return null; // an unknown fingerprint may become known later: not remembered
            }
            l = Optional.ofNullable(RowLayout.of(s, Arrays.copyOf(v, SourceTail.SINGLE_OBJECT_HEADER)));
            layouts.put(fp, l);
        }
        lastFingerprint = fp;
        lastLayout = l;
        return l.orElse(null);
    }

    /**
     * The table name the value should end with: the {@code pgkb.table} header, else the previous record's. Only names
     * whose UTF-8 bytes survive a trip through a Java string qualify, since format 2 stores the name as an Avro string.
     */
    private byte[] tableOf(ArchivedRecord r) {
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            if (h.key().equals(Headers.TABLE)) {
                byte[] b = h.value();
                if (b == null) {
                    return null;
                }
                if (Arrays.equals(b, previous.table())) {
                    return previous.table();
                }
                return survivesString(b) ? b : null;
            }
        }
        return previous.table();
    }

    /**
     * True if the bytes are their own UTF-8 text. Like {@link #writeLiterally}, a method of its own so that the JIT
     * leaves this rare path (a new table name in the segment; Java's UTF-8 coders inline into large code) out of the
     * per-record writer it compiles.
     */
    private static boolean survivesString(byte[] b) {
        return Arrays.equals(b, new String(b, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
    }

    /** A record that is not a pgkb change value ({@code _progress}, anything unexpected): every part as it is. */
    private static void writeLiterally(ArchivedRecord r, BinaryBuffer out) {
        out.writeNullableBytes(r.value(), 0, r.value() == null ? 0 : r.value().length);
        out.writeIndex(0);
        out.writeIndex(0);
        writeHeaders(r, out);
        writeOrder(r, out);
    }

    /** The headers literally: union branch 1, an array of (key, nullable value) in one block, then its end. */
    private static void writeHeaders(ArchivedRecord r, BinaryBuffer out) {
        out.writeIndex(1);
        if (!r.headers().isEmpty()) {
            out.writeLong(r.headers().size());
        }
        for (ArchivedRecord.RecordHeader h : r.headers()) {
            byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(k, 0, k.length);
            out.writeNullableBytes(h.value(), 0, h.value() == null ? 0 : h.value().length);
        }
        out.writeLong(0);
    }

    private static void writeOrder(ArchivedRecord r, BinaryBuffer out) {
        out.writeIndex(1);
        out.writeLong(r.commitLsn());
        out.writeLong(r.seq());
    }
}
