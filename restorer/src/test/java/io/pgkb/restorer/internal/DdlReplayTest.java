package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.TableId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which column changes a DDL record stands for: a DROP + ADD in one statement is no RENAME. */
class DdlReplayTest {
    private static final RowShape BEFORE = new RowShape(List.of(new RowShape.Column("id", "integer"),
            new RowShape.Column("a", "text"), new RowShape.Column("b", "text")));

    /** The table after the DDL: id, a and a last column c with the given attnum. */
    private static DdlEvent after(String query, int cAttnum) {
        return new DdlEvent(1, 42, "ALTER TABLE", false, false, List.of(new DdlEvent.Column(1, "id", "integer", null),
                new DdlEvent.Column(2, "a", "text", null), new DdlEvent.Column(cAttnum, "c", "text", null)), null, query,
                100, 100, 7, 0, 1, "public.t");
    }

    private static List<DdlReplay.Action> actions(String query, int cAttnum, List<Integer> beforeAttnums) {
        return DdlReplay.of(after(query, cAttnum), BEFORE, beforeAttnums, List.of("id"), "public.t").actions();
    }

    @Test
    void dropAndAddInOneStatementIsNoRename() {
        assertThat(actions("ALTER TABLE t DROP COLUMN b, ADD COLUMN c text", 4, null))
                .containsExactly(new DdlReplay.Drop("b"), new DdlReplay.Add("c", "text", null));
        assertThat(actions("alter table t drop b, add c text /* not a RENAME */", 4, null))
                .containsExactly(new DdlReplay.Drop("b"), new DdlReplay.Add("c", "text", null));
        // with the attnums known (the dump's definition) the text is not needed
        assertThat(actions("SELECT migrate()", 4, List.of(1, 2, 3)))
                .containsExactly(new DdlReplay.Drop("b"), new DdlReplay.Add("c", "text", null));
    }

    @Test
    void aRenameStaysARename() {
        assertThat(actions("ALTER TABLE t RENAME COLUMN b TO c", 3, null)).containsExactly(new DdlReplay.Rename("b", "c"));
        assertThat(actions("ALTER TABLE t RENAME COLUMN b TO c", 3, List.of(1, 2, 3))).containsExactly(new DdlReplay.Rename("b", "c"));
        // the text alone proves nothing when it hides the statement (dynamic SQL): the shape decides, as before
        assertThat(actions("SELECT migrate()", 3, null)).containsExactly(new DdlReplay.Rename("b", "c"));
        // words inside literals and quoted names are no keywords
        assertThat(DdlReplay.dropsAndAdds("ALTER TABLE \"drop\" RENAME COLUMN b TO \"add\"")).isFalse();
        assertThat(DdlReplay.dropsAndAdds("ALTER TABLE t RENAME COLUMN b TO c; -- drop, add")).isFalse();
        assertThat(DdlReplay.dropsAndAdds("COMMENT ON TABLE t IS 'rename'; ALTER TABLE t DROP b, ADD c int")).isTrue();
    }

    @Test
    void theBatcherMatchesTheFirstDdlAfterTheDumpByTheDefinitionsAttnums() {
        List<Batcher.Step> steps = new ArrayList<>();
        new Batcher(new TableId("public", "t"), BEFORE, List.of("id"), 10, Long.MAX_VALUE, steps::add)
                .knownAttnums(List.of(1, 2, 3), 42).ddl(after("SELECT migrate()", 4));
        assertThat(((Batcher.Ddl) steps.get(0)).replay().actions())
                .containsExactly(new DdlReplay.Drop("b"), new DdlReplay.Add("c", "text", null));
        steps.clear();
        // attnums of another relation (the table was re-created since the dump) are not used
        new Batcher(new TableId("public", "t"), BEFORE, List.of("id"), 10, Long.MAX_VALUE, steps::add)
                .knownAttnums(List.of(1, 2, 3), 41).ddl(after("SELECT migrate()", 3));
        assertThat(((Batcher.Ddl) steps.get(0)).replay().actions()).containsExactly(new DdlReplay.Rename("b", "c"));
    }
}
