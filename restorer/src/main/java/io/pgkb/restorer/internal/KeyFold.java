package io.pgkb.restorer.internal;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Folds a run of INSERT/UPDATE/DELETE changes of a table with a primary key into the net change per key, so a
 * batch is applied set-wise. Holds at most the keys of one batch; the caller flushes when {@link #size()} reaches
 * its limit and at TRUNCATE or schema changes (all changes of a batch share one {@link RowShape}).
 *
 * <p>Net states: DELETED (row absent afterwards), ROW (row is exactly these values), PATCH (existing row gets the
 * sent columns), COPY (a new row whose unsent columns come from the row of another key as the batch started: an
 * unchanged TOAST column carried across a primary-key change).
 */
public final class KeyFold {
    public enum Kind { DELETED, ROW, PATCH, COPY }

    private static final int MAX_PRESIZED_KEYS = 1 << 18;

    /** Net change of one key. For PATCH and COPY, {@code sent[i]} tells whether {@code values[i]} is set. */
    public static final class Entry {
        Kind kind;
        /** null for DELETED, and for a ROW kept undecoded ({@link #lazy}) */
        String[] values;
        /** A ROW's row as its record's bytes, until a change patches it (most are replaced before anyone reads them). */
        LazyRow lazy;
        boolean[] sent;
        RowKey source;
        /** {@link #heapBytes} of what it holds, kept here so replacing it does not read its values from cold memory. */
        long bytes;

        Entry(Kind kind, String[] values, boolean[] sent, RowKey source) {
            this.kind = kind;
            this.values = values;
            this.sent = sent;
            this.source = source;
        }

        public Kind kind() {
            return kind;
        }

        /**
         * The values of a ROW, PATCH or COPY. A row kept undecoded is decoded on every call and not kept (it would
         * take several times the heap its bytes take), so a caller reads it once per use.
         */
        public String[] values() {
            return lazy != null ? lazy.values() : values;
        }

        /** The values, a row kept undecoded decoded into the entry first: for a change patched into it. */
        String[] materialize() {
            if (lazy != null) {
                values = lazy.values();
                lazy = null;
            }
            return values;
        }

        /**
         * Makes this entry the change's whole new row (every column sent): kept undecoded when the change was read so,
         * else a copy of its values.
         */
        void setRow(Change c) {
            kind = Kind.ROW;
            sent = null;
            source = null;
            lazy = c.lazyAfter();
            values = lazy != null ? null : c.afterKeys().clone();
        }

        /** {@link #heapBytes} of what it holds; a DELETED entry holds its key's values. */
        long heapBytes(RowKey key) {
            return lazy != null ? lazy.heapBytes() : KeyFold.heapBytes(values != null ? values : key.values());
        }

        public boolean sent(int column) {
            return kind == Kind.ROW || (sent != null && sent[column]);
        }

        /** COPY: the key whose row supplies the unsent columns. */
        public RowKey source() {
            return source;
        }
    }

    private final int[] keyColumns;
    private final int width;
    private final int expectedKeys;
    private final boolean filtered;
    private Map<RowKey, Entry> entries;
    /**
     * Every key held and every COPY entry's source key, added as they come (what the dump merge looks rows up by);
     * null when not {@code filtered}.
     */
    private KeyFilter filter;
    /** Some entry was put as PATCH or COPY: only then does the dump merge need a pass over the entries first. */
    private boolean partial;
    private RowKey lastDeleted;
    private Entry lastDeletedPrior;
    private long lastDeleteLsn;
    private long lastDeleteSeq = Long.MIN_VALUE;
    /** {@link #heapBytes} of the values the entries hold, kept as entries change (see {@link #liveBytes()}). */
    private long liveBytes;

    public KeyFold(int[] keyColumns, int width) {
        this(keyColumns, width, 0);
    }

    /**
     * @param expectedKeys keys the fold will likely hold: the map is sized for them once instead of being rehashed
     *                     while it grows (capped, so a huge limit does not allocate a huge table up front)
     */
    public KeyFold(int[] keyColumns, int width, int expectedKeys) {
        this(keyColumns, width, expectedKeys, true);
    }

    /**
     * @param filtered whether to keep the {@link KeyFilter} the dump merge needs: only a fold that may be merged into
     *                 the dump's COPY (the first) pays for it, per key put and in memory
     */
    KeyFold(int[] keyColumns, int width, int expectedKeys, boolean filtered) {
        this.keyColumns = keyColumns;
        this.width = width;
        this.expectedKeys = expectedKeys;
        this.filtered = filtered;
        this.filter = filtered ? new KeyFilter(expectedKeys) : null;
        this.entries = new LinkedHashMap<>(Math.max(16, (int) (Math.min(expectedKeys, MAX_PRESIZED_KEYS) / 0.75f) + 1));
    }

    public int size() {
        return entries.size();
    }

    /**
     * Estimated heap bytes of the values the entries hold (a DELETED entry holds its key's): what the fold keeps alive,
     * unlike the values of every change added, most of which a later change of the same key made garbage. Kept exact
     * as entries are put and patched, so a caller may bound the fold by it after every change.
     */
    long liveBytes() {
        return liveBytes;
    }

    /**
     * Heap a row's values take, estimated: a String costs about 48 bytes besides its characters, so a wide row of
     * short values is counted as what it holds, not by its few characters.
     */
    static long heapBytes(String[] row) {
        long n = 0;
        if (row != null) {
            for (String v : row) {
                n += v == null ? 8 : 48 + v.length();
            }
        }
        return n;
    }

    /** Puts {@code e} as the net change of {@code key}, keeping {@link #liveBytes} exact; returns the entry it replaced. */
    private Entry put(RowKey key, Entry e) {
        e.bytes = e.heapBytes(key);
        if (filter != null) {
            filter.add(key.hashCode());
        }
        if (e.kind == Kind.PATCH || e.kind == Kind.COPY) {
            partial = true;
            if (filter != null && e.source != null) {
                filter.add(e.source.hashCode());
            }
        }
        Entry prior = entries.put(key, e);
        liveBytes += e.bytes - (prior == null ? 0 : prior.bytes);
        return prior;
    }

    public Collection<Map.Entry<RowKey, Entry>> entries() {
        return entries.entrySet();
    }

    /**
     * The net changes handed over (the fold is left empty): the caller owns the map and may remove from it (the dump
     * merge consumes a whole batch of keys without copying them into a map of its own).
     *
     * @param filter  every key of {@code entries} and every COPY entry's source key (see {@link KeyFilter}); null for
     *                a fold built without one
     * @param partial whether any entry was put as PATCH or COPY; if not, every entry is ROW or DELETED
     */
    record Released(Map<RowKey, Entry> entries, KeyFilter filter, boolean partial) {
    }

    /** Hands the net changes over and leaves this fold empty (see {@link Released}). */
    Released release() {
        Released r = new Released(entries, filter, partial);
        entries = new LinkedHashMap<>();
        clear();
        return r;
    }

    public void clear() {
        entries.clear();
        filter = filtered ? new KeyFilter(expectedKeys) : null;
        partial = false;
        liveBytes = 0;
        lastDeleted = null;
        lastDeletedPrior = null;
    }

    public void add(Change c) {
        switch (c.op()) {
            case INSERT -> insert(c);
            case UPDATE -> update(c);
            case DELETE -> delete(c, RowKey.of(row(c, c.before()), keyColumns));
            default -> throw new IllegalArgumentException("not foldable: " + c.op());
        }
    }

    private void insert(Change c) {
        RowKey key = RowKey.of(row(c, c.afterKeys()), keyColumns);
        if (!c.hasUnchanged()) {
            put(key, rowEntry(c));
            return;
        }
        String[] after = c.after(); // whole: a row with unchanged columns is never kept undecoded
        // A primary-key change arrives as DELETE old + INSERT new (consecutive seq); the server did not resend
        // unchanged TOAST columns, so they come from the old key's row.
        if (lastDeleted == null || lastDeleteLsn != c.commitLsn() || lastDeleteSeq != c.seq() - 1) {
            throw inconsistent(c, "INSERT with unchanged columns does not follow the DELETE of its old key");
        }
        Entry prior = lastDeletedPrior;
        boolean[] sent = new boolean[width];
        String[] values = after.clone();
        for (int i = 0; i < width; i++) {
            sent[i] = !c.isUnchanged(i);
        }
        if (prior != null && prior.kind == Kind.DELETED) {
            throw inconsistent(c, "old key " + lastDeleted + " was already deleted");
        }
        RowKey source = lastDeleted;
        if (prior != null) {
            String[] priorValues = prior.materialize();
            for (int i = 0; i < width; i++) {
                if (!sent[i] && prior.sent(i)) {
                    values[i] = priorValues[i];
                    sent[i] = true;
                }
            }
            if (prior.kind == Kind.COPY) {
                source = prior.source;
            }
        }
        put(key, allSent(sent) || (prior != null && prior.kind == Kind.ROW)
                ? new Entry(Kind.ROW, values, null, null)
                : new Entry(Kind.COPY, values, sent, source));
    }

    private void update(Change c) {
        String[] after = row(c, c.afterKeys());
        RowKey key = RowKey.of(after, keyColumns);
        if (c.before() != null) {
            RowKey old = RowKey.of(c.before(), keyColumns);
            if (!old.equals(key)) {
                // A key change sent as one UPDATE: same meaning as DELETE old + INSERT new.
                delete(c, old);
                lastDeleteSeq = c.seq() - 1;
                insert(new Change(Change.Op.INSERT, c.commitLsn(), c.seq(), c.shape(), null, after, c.unchanged(), c.lazyAfter()));
                return;
            }
        }
        Entry e = entries.get(key);
        if (e != null && e.kind == Kind.DELETED) {
            throw inconsistent(c, "UPDATE of key " + key + " after its DELETE");
        }
        if (!c.hasUnchanged()) {
            // every column sent: the key's row is exactly this one, whatever the entry held
            if (e == null) {
                put(key, rowEntry(c));
            } else {
                e.setRow(c);
                resized(e, key);
            }
            return;
        }
        after = c.after(); // whole: a row with unchanged columns is never kept undecoded
        if (e == null) {
            // some column unchanged (unchanged TOAST): only the sent ones are known
            boolean[] sent = new boolean[width];
            for (int i = 0; i < width; i++) {
                sent[i] = !c.isUnchanged(i);
            }
            put(key, new Entry(Kind.PATCH, after.clone(), sent, null));
            return;
        }
        String[] values = e.materialize();
        for (int i = 0; i < width; i++) {
            if (!c.isUnchanged(i)) {
                values[i] = after[i];
                if (e.sent != null) {
                    e.sent[i] = true;
                }
            }
        }
        resized(e, key);
        if (e.kind != Kind.ROW && allSent(e.sent)) {
            e.kind = Kind.ROW;
            e.sent = null;
            e.source = null;
        }
    }

    /** A ROW entry of the change's new row: kept undecoded when the change was read so, else a copy of its values. */
    private static Entry rowEntry(Change c) {
        Entry e = new Entry(Kind.ROW, null, null, null);
        e.setRow(c);
        return e;
    }

    /**
     * Recounts an entry changed in place. Sized after the change: the values a change sent are fresh in cache; only
     * unsent columns are read from the entry.
     */
    private void resized(Entry e, RowKey key) {
        long bytes = e.heapBytes(key);
        liveBytes += bytes - e.bytes;
        e.bytes = bytes;
    }

    private void delete(Change c, RowKey key) {
        lastDeleted = key;
        lastDeletedPrior = put(key, new Entry(Kind.DELETED, null, null, null)); // one lookup, not two
        lastDeleteLsn = c.commitLsn();
        lastDeleteSeq = c.seq();
    }

    private String[] row(Change c, String[] row) {
        if (row == null || row.length != width) {
            throw inconsistent(c, "row missing or of the wrong width");
        }
        return row;
    }

    private static boolean allSent(boolean[] sent) {
        for (boolean s : sent) {
            if (!s) {
                return false;
            }
        }
        return true;
    }

    static PgkbException inconsistent(Change c, String what) {
        return new PgkbException.FatalException("change stream inconsistent at commit_lsn " + Lsn.of(c.commitLsn())
                + " seq " + c.seq() + " (" + c.op() + "): " + what);
    }
}
