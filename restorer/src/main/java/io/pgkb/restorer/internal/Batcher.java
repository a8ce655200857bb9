package io.pgkb.restorer.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Cuts a table's ordered, de-duplicated changes into {@link Step}s: runs of changes folded into the net change per
 * key (or the multiset delta of a table without primary key), TRUNCATEs and writer-schema changes between them.
 * A fold ends at {@code maxKeys} keys or {@code maxBytes} estimated heap bytes of values (bounded memory whatever the number
 * of changes), at a TRUNCATE, and where the writer schema changes. Pure Java: runs on the reading thread, so the
 * next batch is folded while the database applies the previous one.
 *
 * <p>With {@code firstMaxKeys} set, the first fold (when no step came before it) may hold that many keys and
 * counts only its live values, those its entries still hold (a change a later one of its key superseded is
 * garbage): it is merged into the dump's COPY ({@link DumpMerge}), where more keys cost no extra statement, so it
 * should cover as much of the stream as memory allows. Still bounded: at most {@code maxBytes} of live values.
 */
final class Batcher {
    /** What the applying side does, in order. */
    sealed interface Step permits Fold, Truncate, Alter, Ddl {
    }

    /** A captured DDL: make the table's columns what it left (its actions; none when it changed no column). */
    record Ddl(DdlReplay replay) implements Step {
    }

    /** Apply a folded batch of {@code changes} changes; exactly one of {@code keys}/{@code rows} is set. */
    record Fold(RowShape shape, int[] keyColumns, KeyFold keys, RowFold rows, long changes) implements Step {
        int size() {
            return keys != null ? keys.size() : rows.size();
        }
    }

    /** TRUNCATE the table (one change). */
    record Truncate() implements Step {
    }

    /** Make the table's columns those of {@code shape}, before the next fold. */
    record Alter(RowShape shape) implements Step {
    }

    private final TableId table;
    private List<String> primaryKey;
    /** The attnum of each column of {@link #shape} (from the dump's definition or a DDL record); null when unknown. */
    private List<Integer> attnums;
    /** The table oid {@link #attnums} belong to: a DDL record of another oid (the table was re-created) has its own. */
    private long attnumsOid;
    private Function<DdlEvent, RuntimeException> onRewrite = e -> null;
    private final int maxKeys;
    private final long maxBytes;
    private final int firstMaxKeys;
    private final Consumer<Step> out;
    /** Hands on a step that changes no row, so the fold being built stays "the first" if it was. */
    private final Consumer<Step> quietOut;
    /** No step handed on yet: the fold being built is the first. */
    private boolean first = true;
    private RowShape shape;
    private int[] keyColumns;
    private KeyFold keyFold;
    private RowFold rowFold;
    private long bytes;
    private long changes;

    /**
     * @param shape      the columns the table has before the first change
     * @param primaryKey its primary-key columns (empty: none)
     * @param out        receives the steps in order
     */
    Batcher(TableId table, RowShape shape, List<String> primaryKey, int maxKeys, long maxBytes, Consumer<Step> out) {
        this(table, shape, primaryKey, maxKeys, maxBytes, 0, out);
    }

    /** @param firstMaxKeys keys of the first fold, whose values are counted live (see class comment); 0: as any other */
    Batcher(TableId table, RowShape shape, List<String> primaryKey, int maxKeys, long maxBytes, int firstMaxKeys,
            Consumer<Step> out) {
        this.table = table;
        this.firstMaxKeys = firstMaxKeys;
        this.primaryKey = List.copyOf(primaryKey);
        this.maxKeys = maxKeys;
        this.maxBytes = maxBytes;
        this.out = step -> {
            first = false;
            out.accept(step);
        };
        this.quietOut = out;
        use(shape);
    }

    /**
     * The source's attnum of each column of the initial shape (the dump's definition), so the first DDL record after
     * the dump matches columns by attnum too; ignored unless there is one per column.
     */
    Batcher knownAttnums(List<Integer> initial, long tableOid) {
        if (initial != null && initial.size() == shape.size()) {
            this.attnums = List.copyOf(initial);
            this.attnumsOid = tableOid;
        }
        return this;
    }

    /** @param refusal the error that stops the replay at a DDL that rewrote the table (null: none) */
    Batcher onRewrite(Function<DdlEvent, RuntimeException> refusal) {
        this.onRewrite = refusal;
        return this;
    }

    /**
     * A DDL record: changes before it are applied before it. One that changed no column (CREATE INDEX, SET DEFAULT,
     * ADD CONSTRAINT, ...) cuts no fold: the definition it carries counts at the end.
     */
    void ddl(DdlEvent e) {
        if (e.rewrite()) {
            RuntimeException refused = onRewrite.apply(e);
            if (refused != null) {
                throw refused;
            }
        }
        if (e.dropped()) {
            quietOut.accept(new Ddl(new DdlReplay(e, List.of(), shape, attnums, Map.of())));
            return;
        }
        DdlReplay r = DdlReplay.of(e, shape, attnums != null && attnumsOid == e.tableOid() ? attnums : null, primaryKey,
                table.toString());
        attnums = r.attnums();
        attnumsOid = e.tableOid();
        if (!r.changesRows()) {
            quietOut.accept(new Ddl(r));
            return;
        }
        flush();
        out.accept(new Ddl(r));
        primaryKey = primaryKey.stream().map(k -> r.renames().getOrDefault(k, k)).toList();
        use(r.after());
    }

    void accept(Change c) {
        if (c.op() == Change.Op.TRUNCATE) {
            flush();
            out.accept(new Truncate());
            return;
        }
        // shapes are shared per writer schema, so identity settles nearly every record
        if (c.shape() != shape) {
            if (c.shape().equals(shape)) {
                shape = c.shape();
            } else {
                attnums = null; // a writer-schema change no DDL record announced (capture off): match by name again
                flush();
                out.accept(new Alter(c.shape()));
                use(c.shape());
            }
        }
        // never split a primary-key change (DELETE old + INSERT new carrying unchanged columns) across batches
        boolean continuesKeyChange = c.op() == Change.Op.INSERT && c.hasUnchanged();
        if (!continuesKeyChange && full()) {
            flush();
        }
        if (keyFold != null) {
            keyFold.add(c);
        } else {
            rowFold.add(c);
        }
        if (!firstWithLiveCount()) {
            bytes += c.heapBytes();
        }
        changes++;
    }

    /** Hands on what is pending as a {@link Fold}; the next changes go into a new one. */
    void flush() {
        if (changes > 0) {
            out.accept(new Fold(shape, keyColumns, keyFold, rowFold, changes));
            use(shape);
        }
    }

    private boolean full() {
        if (!firstWithLiveCount()) {
            return pending() >= maxKeys || bytes >= maxBytes;
        }
        return pending() >= firstMaxKeys || keyFold.liveBytes() >= maxBytes;
    }

    /** The first fold, bounded by the values its entries hold (KeyFold keeps that count) rather than by all added. */
    private boolean firstWithLiveCount() {
        return first && firstMaxKeys > 0 && keyFold != null;
    }

    private int pending() {
        return keyFold != null ? keyFold.size() : rowFold.size();
    }

    private void use(RowShape next) {
        shape = next;
        bytes = 0;
        changes = 0;
        if (primaryKey.isEmpty()) {
            keyFold = null;
            rowFold = new RowFold(next.size());
            return;
        }
        keyColumns = new int[primaryKey.size()];
        for (int j = 0; j < primaryKey.size(); j++) {
            keyColumns[j] = next.indexOf(primaryKey.get(j));
            if (keyColumns[j] < 0) {
                throw new PgkbException.FatalException("cannot replay on " + table + ": primary-key column "
                        + primaryKey.get(j) + " is not in the writer schema " + next.names());
            }
        }
        rowFold = null;
        // only the first fold, with its own key limit, may be merged into the dump's COPY: only it keeps a key filter
        boolean mergeable = first && firstMaxKeys > 0;
        keyFold = new KeyFold(keyColumns, next.size(), mergeable ? firstMaxKeys : maxKeys, mergeable);
    }
}
