package io.pgkb.restorer.internal;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams a dump's COPY text into the work table's COPY with the first folded batch merged in, so the rows that
 * batch changes are written once, by the same COPY, instead of loaded, indexed and then rewritten set-wise. Per
 * dump row the key columns are read (COPY text unescaped, compared with the fold's text values): a key the fold
 * does not hold passes byte for byte; DELETED drops the row; ROW replaces it; PATCH keeps the dump row's unsent
 * columns; a COPY entry (primary-key change carrying unchanged TOAST columns) takes its unsent columns from its
 * source key's dump row when that row passes, and the dump row of its own key is dropped. After the dump, ROW
 * entries no dump row matched are inserted. A PATCH or COPY whose row is not in the dump means stream and dump
 * disagree: the same error as {@link SetApplier}'s row-count checks, never a guess.
 *
 * <p>Same result as loading the dump and applying the fold with {@link SetApplier}, provided the text of a key
 * value identifies it: true for the key types of {@link #comparable} (one text form per value, the same from the
 * dump's COPY and the change records' converters); other tables take the load-then-apply path.
 */
public final class DumpMerge {
    /** Where the merged COPY text goes (the server's COPY, or a test's buffer). */
    public interface Sink {
        void write(byte[] b, int off, int len) throws SQLException;
    }

    /** Key types whose PostgreSQL text is canonical (one text per value) in both the dump and the converters. */
    private static final Set<String> CANONICAL = Set.of("smallint", "integer", "bigint", "text", "uuid", "character varying");
    private static final int FLUSH_AT = 1 << 16;

    private final int[] keyColumns;
    private final int width;
    private final int lastKeyColumn;
    private final TableId work;
    private final String where;
    /** Fold entries whose key's dump row has not passed yet. */
    private final Map<RowKey, KeyFold.Entry> pending;
    /** COPY entries waiting for their source key's dump row. */
    private final Map<RowKey, List<KeyFold.Entry>> copies = new HashMap<>();
    /**
     * Every key in {@link #pending} and {@link #copies} (as built; both only shrink), built by the fold as it folded:
     * most dump rows' keys are in neither, and the filter says so from the row's bytes, without a String, a RowKey and
     * a lookup in a map far larger than the CPU caches per row.
     */
    private final KeyFilter wanted;
    private final boolean filter;
    private final int[] starts;
    private final int[] ends;
    private final StringBuilder text = new StringBuilder();
    private final long patches;
    private final long copyEntries;
    private byte[] in = new byte[1 << 17];
    private byte[] out = new byte[2 * FLUSH_AT];
    private int outLen;
    private long dumpRows;
    private long rowsOut;

    /** True when every key column has a type whose text identifies its value (see class comment). */
    static boolean comparable(RowShape shape, int[] keyColumns) {
        for (int k : keyColumns) {
            String type = shape.columns().get(k).type();
            if (!CANONICAL.contains(type) && !type.startsWith("character varying(")) {
                return false;
            }
        }
        return keyColumns.length > 0;
    }

    /**
     * @param fold  the first batch, folded on the dump's row shape (columns in the dump's order); the merge takes its
     *              entries over and leaves it empty
     * @param where the dump object, for errors
     */
    DumpMerge(KeyFold fold, int[] keyColumns, int width, TableId work, String where) {
        this(fold, keyColumns, width, work, where, true);
    }

    /** @param filter false: every dump row's key is looked up by value (the reference the filter is tested against) */
    DumpMerge(KeyFold fold, int[] keyColumns, int width, TableId work, String where, boolean filter) {
        this.keyColumns = keyColumns;
        this.width = width;
        this.work = work;
        this.where = where;
        this.lastKeyColumn = Arrays.stream(keyColumns).max().orElseThrow();
        this.starts = new int[width];
        this.ends = new int[width];
        KeyFold.Released r = fold.release();
        this.pending = r.entries();
        this.wanted = r.filter();
        // a fold kept without a filter is merged too, each row's key looked up by value
        this.filter = filter && wanted != null;
        long p = 0;
        long c = 0;
        // only PATCH and COPY entries need to be known before the dump: skip the pass over every key when there are none
        if (r.partial()) {
            for (KeyFold.Entry v : pending.values()) {
                if (v.kind() == KeyFold.Kind.PATCH) {
                    p++;
                } else if (v.kind() == KeyFold.Kind.COPY) {
                    c++;
                    copies.computeIfAbsent(v.source(), k -> new ArrayList<>(1)).add(v);
                }
            }
        }
        patches = p;
        copyEntries = c;
    }

    /**
     * True when the current row's key is surely not one the merge holds: its key fields are plain ASCII (no escape,
     * so the bytes are the value's characters) and the hash {@link RowKey} would have, computed from those bytes as
     * {@code Arrays.hashCode} of the Strings does it, is surely not in {@link #wanted}. Anything else is decided by value.
     */
    private boolean surelyUnwanted() {
        int h = 1;
        for (int k : keyColumns) {
            int s = 0;
            for (int p = starts[k]; p < ends[k]; p++) {
                byte b = in[p];
                if (b < 0 || b == '\\') {
                    return false;
                }
                s = 31 * s + b;
            }
            h = 31 * h + s;
        }
        return !wanted.mayContain(h);
    }

    /**
     * Reads {@code dump} to its end (so a verifying stream checks it) and writes the merged rows to {@code sink};
     * returns the rows written.
     */
    long run(InputStream dump, Sink sink) throws IOException, SQLException {
        int start = 0;
        int end = 0;
        int scan = 0;
        while (true) {
            int nl = indexOfNewline(scan, end);
            if (nl >= 0) {
                row(start, nl, sink);
                start = nl + 1;
                scan = start;
                continue;
            }
            // no complete row left: keep the partial one at the front, growing the buffer for rows longer than it
            if (start > 0) {
                System.arraycopy(in, start, in, 0, end - start);
                end -= start;
                start = 0;
            } else if (end == in.length) {
                in = Arrays.copyOf(in, in.length * 2);
            }
            scan = end;
            int n = dump.read(in, end, in.length - end);
            if (n < 0) {
                if (end > start) {
                    row(start, end, sink); // a last row without its newline
                }
                break;
            }
            end += n;
        }
        finish(sink);
        return rowsOut;
    }

    /** Dump rows read. */
    long dumpRows() {
        return dumpRows;
    }

    private int indexOfNewline(int from, int to) {
        for (int i = from; i < to; i++) {
            if (in[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** One dump row {@code in[ls, le)} (without its newline). */
    private void row(int ls, int le, Sink sink) throws SQLException {
        dumpRows++;
        int fields = split(ls, le, lastKeyColumn + 1);
        if (fields <= lastKeyColumn) {
            throw malformed(fields);
        }
        if (filter && surelyUnwanted()) {
            raw(ls, le);
            endRow(sink);
            return;
        }
        String[] key = new String[keyColumns.length];
        for (int j = 0; j < key.length; j++) {
            key[j] = CopyText.field(in, starts[keyColumns[j]], ends[keyColumns[j]]);
        }
        RowKey k = new RowKey(key);
        KeyFold.Entry e = pending.remove(k);
        List<KeyFold.Entry> moved = copies.isEmpty() ? null : copies.remove(k);
        if (e == null && moved == null) {
            raw(ls, le);
            endRow(sink);
            return;
        }
        fields = split(ls, le, width + 1);
        if (fields != width) {
            throw malformed(fields);
        }
        if (moved != null) {
            // the rows of keys this one moved to: sent columns from the stream, the rest from this row
            for (KeyFold.Entry c : moved) {
                merged(c, sink);
            }
        }
        if (e == null) {
            raw(ls, le);
            endRow(sink);
            return;
        }
        switch (e.kind()) {
            case ROW, PATCH -> merged(e, sink);
            default -> {
                // DELETED: gone; COPY: this key's row is the one built from its source's row
            }
        }
    }

    /** Finds up to {@code max} fields of {@code in[ls, le)} into starts/ends; returns how many it found. */
    private int split(int ls, int le, int max) {
        int f = 0;
        int fs = ls;
        for (int p = ls; f < max; p++) {
            if (p == le || in[p] == '\t') {
                if (f < width) {
                    starts[f] = fs;
                    ends[f] = p;
                }
                f++;
                fs = p + 1;
                if (p == le) {
                    break;
                }
            }
        }
        return f;
    }

    /** Writes the entry's row: its sent values, the current dump row's fields for the others. */
    private void merged(KeyFold.Entry e, Sink sink) throws SQLException {
        String[] values = e.values(); // once: a row kept undecoded is decoded by this call
        for (int i = 0; i < width; i++) {
            if (i > 0) {
                put((byte) '\t');
            }
            if (e.sent(i)) {
                value(values[i]);
            } else {
                raw(starts[i], ends[i]);
            }
        }
        endRow(sink);
    }

    private void finish(Sink sink) throws SQLException {
        long patchesLeft = 0;
        for (KeyFold.Entry e : pending.values()) {
            if (e.kind() == KeyFold.Kind.PATCH) {
                patchesLeft++;
            }
        }
        if (patchesLeft > 0) {
            throw SetApplier.disagreement(work, "rows updated", patches - patchesLeft, patches);
        }
        if (!copies.isEmpty()) {
            long left = copies.values().stream().mapToLong(List::size).sum();
            throw SetApplier.disagreement(work, "old rows of primary-key changes", copyEntries - left, copyEntries);
        }
        for (KeyFold.Entry e : pending.values()) {
            if (e.kind() == KeyFold.Kind.ROW) {
                merged(e, sink);
            }
        }
        if (outLen > 0) {
            sink.write(out, 0, outLen);
            outLen = 0;
        }
    }

    private void endRow(Sink sink) throws SQLException {
        put((byte) '\n');
        rowsOut++;
        if (outLen >= FLUSH_AT) {
            sink.write(out, 0, outLen);
            outLen = 0;
        }
    }

    private void value(String v) {
        // nearly every value is its own COPY text: straight into the buffer, without a String and a byte array
        int end = v == null ? -1 : CopyText.putPlain(v, out, outLen);
        if (end >= 0) {
            outLen = end;
            return;
        }
        text.setLength(0);
        CopyText.append(text, v);
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        append(b, 0, b.length);
    }

    private void raw(int from, int to) {
        append(in, from, to - from);
    }

    private void put(byte b) {
        if (outLen == out.length) {
            out = Arrays.copyOf(out, out.length * 2);
        }
        out[outLen++] = b;
    }

    private void append(byte[] b, int off, int len) {
        if (outLen + len > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + len));
        }
        System.arraycopy(b, off, out, outLen, len);
        outLen += len;
    }

    private PgkbException malformed(int fields) {
        return new PgkbException.ArchiveIncompleteException("dump data " + where + " row " + dumpRows + " has "
                + fields + (fields > width ? " or more" : "") + " fields, the manifest names " + width + " columns");
    }
}
