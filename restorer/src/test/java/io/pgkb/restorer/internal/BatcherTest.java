package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.restorer.internal.Change.Op;
import io.pgkb.schemas.TableId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where {@link Batcher} cuts the stream: key and size limits, TRUNCATE, writer-schema changes, key-change pairs. */
class BatcherTest {
    private static final TableId T = new TableId("public", "t");
    private static final RowShape SHAPE = new RowShape(List.of(new RowShape.Column("id", "integer"),
            new RowShape.Column("a", "text"), new RowShape.Column("toast", "text")));
    private final List<Batcher.Step> steps = new ArrayList<>();
    private long seq;

    private Change ins(RowShape shape, String id) {
        String[] row = new String[shape.size()];
        row[0] = id;
        return new Change(Op.INSERT, 100, seq++, shape, null, row, null);
    }

    @Test
    void aFoldEndsAtTheKeyLimitAndEveryChangeIsCountedOnce() {
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 3, Long.MAX_VALUE, steps::add);
        for (int i = 0; i < 8; i++) {
            b.accept(ins(SHAPE, "" + i % 7)); // key 0 twice: 7 keys, 8 changes
        }
        b.flush();
        assertThat(steps).allMatch(s -> s instanceof Batcher.Fold);
        assertThat(steps.stream().map(s -> ((Batcher.Fold) s).size()).toList()).containsExactly(3, 3, 2);
        assertThat(steps.stream().mapToLong(s -> ((Batcher.Fold) s).changes()).sum()).isEqualTo(8);
        // each fold is a new object: the applying thread may still hold the previous one
        assertThat(((Batcher.Fold) steps.get(0)).keys()).isNotSameAs(((Batcher.Fold) steps.get(1)).keys());
    }

    @Test
    void aFoldEndsAtTheSizeLimit() {
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 1000, 10, steps::add);
        for (int i = 0; i < 4; i++) {
            b.accept(new Change(Op.INSERT, 100, seq++, SHAPE, null, new String[] {"" + i, "12345678", null}, null));
        }
        b.flush();
        assertThat(steps.stream().map(s -> ((Batcher.Fold) s).size()).toList()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void wideRowsOfShortValuesAreCountedByTheirHeapNotTheirCharacters() {
        List<RowShape.Column> cols = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            cols.add(new RowShape.Column("c" + i, "text"));
        }
        RowShape wide = new RowShape(cols);
        // 100 one-character values hold about 100 * 49 bytes, not 100 characters
        Batcher b = new Batcher(T, wide, List.of("c0"), 1000, 2 * 100 * 49, steps::add);
        for (int i = 0; i < 6; i++) {
            String[] row = new String[100];
            Arrays.fill(row, "x");
            row[0] = "" + i;
            b.accept(new Change(Op.INSERT, 100, seq++, wide, null, row, null));
        }
        b.flush();
        assertThat(steps.stream().map(s -> ((Batcher.Fold) s).size()).toList()).containsExactly(2, 2, 2);
    }

    @Test
    void truncateAndSchemaChangesEndTheFoldInOrder() {
        RowShape wider = new RowShape(List.of(new RowShape.Column("id", "integer"), new RowShape.Column("a", "text"),
                new RowShape.Column("toast", "text"), new RowShape.Column("b", "integer")));
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 1000, Long.MAX_VALUE, steps::add);
        b.accept(ins(SHAPE, "1"));
        b.accept(new Change(Op.TRUNCATE, 100, seq++, SHAPE, null, null, null));
        b.accept(ins(SHAPE, "2"));
        b.accept(ins(wider, "3"));
        b.accept(ins(wider, "4"));
        b.flush();
        assertThat(steps).hasSize(5);
        assertThat(steps.get(0)).isInstanceOf(Batcher.Fold.class);
        assertThat(steps.get(1)).isInstanceOf(Batcher.Truncate.class);
        assertThat(((Batcher.Fold) steps.get(2)).shape()).isEqualTo(SHAPE);
        assertThat(((Batcher.Alter) steps.get(3)).shape()).isEqualTo(wider);
        assertThat(((Batcher.Fold) steps.get(4)).shape()).isEqualTo(wider);
        assertThat(((Batcher.Fold) steps.get(4)).keyColumns()).containsExactly(0);
        assertThat(((Batcher.Fold) steps.get(4)).size()).isEqualTo(2);
    }

    @Test
    void anEqualShapeFromAnotherSchemaInstanceIsNoSchemaChange() {
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 1000, Long.MAX_VALUE, steps::add);
        b.accept(ins(new RowShape(SHAPE.columns()), "1"));
        b.accept(ins(SHAPE, "2"));
        b.flush();
        assertThat(steps).hasSize(1).allMatch(s -> s instanceof Batcher.Fold);
    }

    @Test
    void aKeyChangePairIsNeverSplitAcrossFolds() {
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 1, Long.MAX_VALUE, steps::add);
        b.accept(ins(SHAPE, "1"));
        b.accept(new Change(Op.DELETE, 100, seq++, SHAPE, new String[] {"1", null, null}, null, null));
        b.accept(new Change(Op.INSERT, 100, seq++, SHAPE, null, new String[] {"2", "x", null}, new boolean[] {false, false, true}));
        b.flush();
        // the DELETE starts a fold (limit 1 reached), the INSERT carrying unchanged columns must join it
        assertThat(steps.stream().map(s -> ((Batcher.Fold) s).changes()).toList()).containsExactly(1L, 2L);
    }

    @Test
    void aTableWithoutPrimaryKeyFoldsRows() {
        Batcher b = new Batcher(T, SHAPE, List.of(), 1000, Long.MAX_VALUE, steps::add);
        b.accept(new Change(Op.INSERT, 100, seq++, SHAPE, null, new String[] {"1", "a", "t"}, null));
        b.flush();
        Batcher.Fold f = (Batcher.Fold) steps.get(0);
        assertThat(f.keys()).isNull();
        assertThat(f.rows().size()).isEqualTo(1);
    }

    @Test
    void theFirstFoldMayHoldMoreKeysThenTheLimitIsTheUsualOne() {
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 2, Long.MAX_VALUE, 8, steps::add);
        for (int i = 0; i < 13; i++) {
            b.accept(ins(SHAPE, "" + i));
        }
        b.flush();
        assertThat(steps.stream().map(s -> ((Batcher.Fold) s).size()).toList()).containsExactly(8, 2, 2, 1);
        // only the first fold can be merged into the dump's COPY, so only it keeps the merge's key filter
        assertThat(steps.stream().map(s -> ((Batcher.Fold) s).keys().release().filter() != null).toList())
                .containsExactly(true, false, false, false);
    }

    @Test
    void theFirstFoldCountsOnlyTheValuesItStillHolds() {
        // each update of key 1 replaces the previous values: counting every change the fold would end after ~4
        long cap = 4 * (48 + 1 + 48 + 8 + 8);
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 1000, cap, 1000, steps::add);
        for (int i = 0; i < 100; i++) {
            b.accept(new Change(Op.UPDATE, 100, seq++, SHAPE, null, new String[] {"1", "" + i % 10, null}, null));
        }
        // distinct keys do hold their values: cut near the cap, as any fold
        for (int i = 2; i < 12; i++) {
            b.accept(new Change(Op.UPDATE, 100, seq++, SHAPE, null, new String[] {"" + i, "v", null}, null));
        }
        b.flush();
        List<Integer> sizes = steps.stream().map(s -> ((Batcher.Fold) s).size()).toList();
        assertThat(((Batcher.Fold) steps.get(0)).changes()).isGreaterThan(100);
        assertThat(sizes.get(0)).isLessThanOrEqualTo(5);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(11);
    }

    @Test
    void aFoldAfterATruncateIsNotTheFirst() {
        Batcher b = new Batcher(T, SHAPE, List.of("id"), 2, Long.MAX_VALUE, 8, steps::add);
        b.accept(new Change(Op.TRUNCATE, 100, seq++, SHAPE, null, null, null));
        for (int i = 0; i < 5; i++) {
            b.accept(ins(SHAPE, "" + i));
        }
        b.flush();
        assertThat(steps.stream().skip(1).map(s -> ((Batcher.Fold) s).size()).toList()).containsExactly(2, 2, 1);
    }
}
