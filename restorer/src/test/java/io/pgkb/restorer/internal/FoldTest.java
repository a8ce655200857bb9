package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.restorer.internal.Change.Op;
import io.pgkb.schemas.PgkbException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fold must mean exactly what replaying the changes one by one means. The reference is a sequential replay
 * onto an in-memory table; the folded batch is applied with the semantics the SQL of {@code SetApplier} has.
 */
class FoldTest {
    // columns: id (key), a, toast
    private static final RowShape SHAPE = new RowShape(List.of(new RowShape.Column("id", "integer"),
            new RowShape.Column("a", "text"), new RowShape.Column("toast", "text")));
    private static final int[] KEY = {0};
    private long seq;

    private Change ins(String... row) {
        return new Change(Op.INSERT, 100, seq++, SHAPE, null, row, null);
    }

    private Change upd(boolean toastUnchanged, String... row) {
        return new Change(Op.UPDATE, 100, seq++, SHAPE, null, row, toastUnchanged ? new boolean[] {false, false, true} : null);
    }

    private Change del(String id) {
        return new Change(Op.DELETE, 100, seq++, SHAPE, new String[] {id, null, null}, null, null);
    }

    /** DELETE old + INSERT new with the TOAST column not sent, as the producer emits a key change. */
    private List<Change> keyChange(String from, String to, String a) {
        Change d = del(from);
        Change i = new Change(Op.INSERT, 100, seq++, SHAPE, null, new String[] {to, a, null}, new boolean[] {false, false, true});
        return List.of(d, i);
    }

    @Test
    void insertThenUpdatesFoldToOneRow() {
        KeyFold f = new KeyFold(KEY, 3);
        f.add(ins("1", "x", "big"));
        f.add(upd(true, "1", "y", null));
        f.add(upd(false, "1", "z", null));
        assertThat(f.size()).isEqualTo(1);
        KeyFold.Entry e = f.entries().iterator().next().getValue();
        assertThat(e.kind()).isEqualTo(KeyFold.Kind.ROW);
        assertThat(e.values()).containsExactly("1", "z", null);
    }

    @Test
    void unchangedToastOnAnUntouchedRowOnlyPatchesSentColumns() {
        Map<RowKey, String[]> table = table(new String[] {"1", "x", "big"});
        KeyFold f = new KeyFold(KEY, 3);
        f.add(upd(true, "1", "y", null));
        assertThat(applyFold(f, table)).containsExactly(entry("1", "y", "big"));
    }

    @Test
    void keyChangeCarriesUnchangedToastFromTheOldRowInTheTable() {
        Map<RowKey, String[]> table = table(new String[] {"1", "x", "big"});
        KeyFold f = new KeyFold(KEY, 3);
        keyChange("1", "2", "x2").forEach(f::add);
        assertThat(applyFold(f, table)).containsExactly(entry("2", "x2", "big"));
    }

    @Test
    void chainedKeyChangesKeepTheFirstSource() {
        Map<RowKey, String[]> table = table(new String[] {"1", "x", "big"});
        KeyFold f = new KeyFold(KEY, 3);
        keyChange("1", "2", "x2").forEach(f::add);
        keyChange("2", "3", "x3").forEach(f::add);
        assertThat(applyFold(f, table)).containsExactly(entry("3", "x3", "big"));
    }

    @Test
    void insertWithUnchangedColumnsWithoutItsDeleteIsRefused() {
        KeyFold f = new KeyFold(KEY, 3);
        Change bad = new Change(Op.INSERT, 100, 7, SHAPE, null, new String[] {"2", "x", null}, new boolean[] {false, false, true});
        assertThatThrownBy(() -> f.add(bad)).isInstanceOf(PgkbException.FatalException.class).hasMessageContaining("seq 7");
    }

    @Test
    void randomStreamsFoldToTheSameTableAsSequentialReplay() {
        Random rnd = new Random(42);
        for (int round = 0; round < 300; round++) {
            Map<RowKey, String[]> start = new HashMap<>();
            for (int k = 0; k < 8; k++) {
                if (rnd.nextBoolean()) {
                    start.put(new RowKey(new String[] {"" + k}), new String[] {"" + k, "a" + k, "t" + k});
                }
            }
            Map<RowKey, String[]> reference = copy(start);
            List<Change> changes = new ArrayList<>();
            for (int n = 0; n < 1 + rnd.nextInt(25); n++) {
                String k = "" + rnd.nextInt(8);
                RowKey key = new RowKey(new String[] {k});
                String[] cur = reference.get(key);
                int what = rnd.nextInt(4);
                List<Change> step;
                if (cur == null) {
                    step = List.of(ins(k, "v" + n, rnd.nextBoolean() ? null : "T" + n));
                } else if (what == 0) {
                    step = List.of(del(k));
                } else if (what == 1) {
                    step = List.of(upd(true, k, "u" + n, null));
                } else if (what == 2) {
                    step = List.of(upd(false, k, rnd.nextBoolean() ? null : "u" + n, "T" + n));
                } else {
                    String to = "" + rnd.nextInt(8);
                    step = reference.containsKey(new RowKey(new String[] {to})) ? List.of(upd(true, k, "w" + n, null))
                            : keyChange(k, to, "m" + n);
                }
                for (Change c : step) {
                    replay(reference, c, step);
                    changes.add(c);
                }
            }
            KeyFold f = new KeyFold(KEY, 3);
            for (Change c : changes) {
                f.add(c);
                // the count the first batch is bounded by stays what the entries hold, however they were replaced
                assertThat(f.liveBytes()).as("round %d after %s", round, c).isEqualTo(heldByEntries(f));
            }
            assertThat(applyFold(f, copy(start))).as("round %d: %s", round, changes).containsExactlyInAnyOrderEntriesOf(reference);
        }
    }

    @Test
    void rowFoldIsAMultisetDelta() {
        RowFold f = new RowFold(3);
        String[] r = {"1", "same", null};
        f.add(new Change(Op.INSERT, 1, 0, SHAPE, null, r, null));
        f.add(new Change(Op.INSERT, 1, 1, SHAPE, null, r, null));
        f.add(new Change(Op.DELETE, 1, 2, SHAPE, r, null, null));
        f.add(new Change(Op.UPDATE, 1, 3, SHAPE, new String[] {"9", "old", "t"}, new String[] {"9", "new", null},
                new boolean[] {false, false, true}));
        Map<String, Long> net = new HashMap<>();
        f.entries().forEach(e -> net.put(Arrays.toString(e.getKey().values()), e.getValue()[0]));
        assertThat(net).containsOnly(Map.entry("[1, same, null]", 1L), Map.entry("[9, old, t]", -1L), Map.entry("[9, new, t]", 1L));
    }

    private static void replay(Map<RowKey, String[]> t, Change c, List<Change> step) {
        switch (c.op()) {
            case INSERT -> {
                String[] row = c.after().clone();
                if (c.hasUnchanged()) {
                    // the old row of the key change, still in the step's DELETE
                    String[] old = lastDeleted;
                    for (int i = 0; i < row.length; i++) {
                        if (c.isUnchanged(i)) {
                            row[i] = old[i];
                        }
                    }
                }
                t.put(new RowKey(new String[] {row[0]}), row);
            }
            case UPDATE -> {
                String[] row = t.get(new RowKey(new String[] {c.after()[0]})).clone();
                for (int i = 0; i < row.length; i++) {
                    if (!c.isUnchanged(i)) {
                        row[i] = c.after()[i];
                    }
                }
                t.put(new RowKey(new String[] {row[0]}), row);
            }
            case DELETE -> lastDeleted = t.remove(new RowKey(new String[] {c.before()[0]}));
            default -> throw new IllegalStateException();
        }
    }

    private static String[] lastDeleted;

    /** What SetApplier's statements do: resolve COPY sources first, then delete, upsert and patch. */
    static Map<RowKey, String[]> applyFold(KeyFold f, Map<RowKey, String[]> t) {
        Map<RowKey, String[]> start = copy(t);
        for (Map.Entry<RowKey, KeyFold.Entry> e : f.entries()) {
            KeyFold.Entry v = e.getValue();
            switch (v.kind()) {
                case DELETED -> t.remove(e.getKey());
                case ROW -> t.put(e.getKey(), v.values().clone());
                case PATCH -> {
                    String[] row = t.get(e.getKey());
                    assertThat(row).as("patched row exists").isNotNull();
                    for (int i = 0; i < row.length; i++) {
                        if (v.sent(i)) {
                            row[i] = v.values()[i];
                        }
                    }
                }
                case COPY -> {
                    String[] src = start.get(v.source());
                    assertThat(src).as("copy source exists at batch start").isNotNull();
                    String[] row = v.values().clone();
                    for (int i = 0; i < row.length; i++) {
                        if (!v.sent(i)) {
                            row[i] = src[i];
                        }
                    }
                    t.put(e.getKey(), row);
                }
            }
        }
        return t;
    }

    private static long heldByEntries(KeyFold f) {
        long n = 0;
        for (Map.Entry<RowKey, KeyFold.Entry> e : f.entries()) {
            n += KeyFold.heapBytes(e.getValue().values() != null ? e.getValue().values() : e.getKey().values());
        }
        return n;
    }

    private static Map<RowKey, String[]> table(String[]... rows) {
        Map<RowKey, String[]> t = new HashMap<>();
        for (String[] r : rows) {
            t.put(new RowKey(new String[] {r[0]}), r);
        }
        return t;
    }

    private static Map.Entry<RowKey, String[]> entry(String... row) {
        return Map.entry(new RowKey(new String[] {row[0]}), row);
    }

    private static Map<RowKey, String[]> copy(Map<RowKey, String[]> t) {
        Map<RowKey, String[]> out = new HashMap<>();
        t.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }
}
