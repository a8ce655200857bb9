package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.producer.internal.PgOutputMessage.Begin;
import io.pgkb.producer.internal.PgOutputMessage.Column;
import io.pgkb.producer.internal.PgOutputMessage.Commit;
import io.pgkb.producer.internal.PgOutputMessage.Delete;
import io.pgkb.producer.internal.PgOutputMessage.Insert;
import io.pgkb.producer.internal.PgOutputMessage.Message;
import io.pgkb.producer.internal.PgOutputMessage.Relation;
import io.pgkb.producer.internal.PgOutputMessage.Truncate;
import io.pgkb.producer.internal.PgOutputMessage.Update;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionAssemblerTest {
    static final class Collect implements ChangeSink {
        final List<Object> events = new ArrayList<>();

        @Override
        public void relation(RelationInfo relation) {
            events.add(relation);
        }

        @Override
        public void begin(Txn txn) {
            events.add("BEGIN " + txn.xid());
        }

        @Override
        public void change(Change change) {
            events.add(change);
        }

        @Override
        public void mark(Txn txn, String name) {
            events.add("MARK " + name + "@" + txn.commitLsn());
        }

        @Override
        public void heartbeat(long lsn) {
            events.add("HEARTBEAT " + lsn);
        }

        @Override
        public void commit(Txn txn, long endLsn) {
            events.add("COMMIT " + txn.xid() + " " + endLsn);
        }

        List<Change> changes() {
            return events.stream().filter(Change.class::isInstance).map(Change.class::cast).toList();
        }
    }

    private final Collect sink = new Collect();
    private final TransactionAssembler asm = new TransactionAssembler(sink, t -> List.of("id"));

    private static TupleData row(String... texts) {
        List<TupleData.Value> v = new ArrayList<>();
        for (String s : texts) {
            v.add(s == null ? TupleData.Value.NULL : "<u>".equals(s) ? TupleData.Value.UNCHANGED : TupleData.Value.text(s));
        }
        return new TupleData(v);
    }

    private static Relation rel(int id, String name, char identity, boolean keyOnId, String... extra) {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column(keyOnId || identity == 'f', "id", 23, -1));
        for (String e : extra) {
            cols.add(new Column(identity == 'f', e, 25, -1));
        }
        return new Relation(id, "public", name, identity, cols);
    }

    @Test
    void seqCountsEveryChangeOfTheTransactionAcrossTables() {
        asm.accept(1, new Begin(500, 10, 7));
        asm.accept(2, rel(1, "a", 'd', true, "v"));
        asm.accept(3, rel(2, "b", 'd', true, "v"));
        asm.accept(4, new Insert(1, row("1", "x")));
        asm.accept(5, new Insert(2, row("1", "y")));
        asm.accept(6, new Update(1, (char) 0, null, row("1", "z")));
        asm.accept(7, new Delete(2, 'K', row("1", null)));
        assertThat(asm.inTransaction()).isTrue();
        asm.accept(8, new Commit(0, 500, 520, 10));
        assertThat(asm.inTransaction()).isFalse();

        List<Change> c = sink.changes();
        assertThat(c).extracting(Change::seq).containsExactly(0L, 1L, 2L, 3L);
        assertThat(c).extracting(Change::op).containsExactly(Change.Op.INSERT, Change.Op.INSERT, Change.Op.UPDATE, Change.Op.DELETE);
        assertThat(c).extracting(ch -> ch.relation().table().table()).containsExactly("a", "b", "a", "b");
        assertThat(c).extracting(Change::lsn).containsExactly(4L, 5L, 6L, 7L);
        assertThat(c).allSatisfy(ch -> {
            assertThat(ch.txn().commitLsn()).isEqualTo(500);
            assertThat(ch.txn().xid()).isEqualTo(7);
        });
        assertThat(c.get(3).before().text(0)).isEqualTo("1");
        assertThat(sink.events.get(sink.events.size() - 1)).isEqualTo("COMMIT 7 520");

        asm.accept(9, new Begin(600, 11, 8));
        asm.accept(10, new Insert(1, row("2", "x")));
        asm.accept(11, new Commit(0, 600, 610, 11));
        assertThat(sink.changes().get(4).seq()).as("seq restarts per transaction").isZero();
    }

    @Test
    void primaryKeyChangeBecomesDeleteThenInsertWithConsecutiveSeq() {
        asm.accept(1, rel(1, "a", 'd', true, "v"));
        asm.accept(2, new Begin(500, 10, 7));
        asm.accept(3, new Insert(1, row("9", "first")));
        asm.accept(4, new Update(1, 'K', row("1", null), row("2", "x")));
        asm.accept(5, new Commit(0, 500, 520, 10));
        List<Change> c = sink.changes();
        assertThat(c).extracting(Change::op).containsExactly(Change.Op.INSERT, Change.Op.DELETE, Change.Op.INSERT);
        assertThat(c).extracting(Change::seq).containsExactly(0L, 1L, 2L);
        assertThat(c.get(1).before().text(0)).isEqualTo("1");
        assertThat(c.get(1).after()).isNull();
        assertThat(c.get(2).before()).isNull();
        assertThat(c.get(2).after().text(0)).isEqualTo("2");
    }

    @Test
    void oldKeyEqualToNewKeyIsAnUpdate() {
        asm.accept(1, rel(1, "a", 'd', true, "v"));
        asm.accept(2, new Begin(500, 10, 7));
        asm.accept(3, new Update(1, 'K', row("1", null), row("1", "x")));
        asm.accept(4, new Commit(0, 500, 520, 10));
        assertThat(sink.changes()).extracting(Change::op).containsExactly(Change.Op.UPDATE);
    }

    @Test
    void replicaIdentityFullKeysOnThePrimaryKeyOrNothing() {
        asm.accept(1, rel(1, "full_pk", 'f', false, "v"));
        asm.accept(2, new Begin(500, 10, 7));
        asm.accept(3, new Update(1, 'O', row("1", "a"), row("1", "b")));
        asm.accept(4, new Update(1, 'O', row("1", "b"), row("3", "b")));
        asm.accept(5, new Commit(0, 500, 520, 10));
        assertThat(sink.changes()).extracting(Change::op).containsExactly(Change.Op.UPDATE, Change.Op.DELETE, Change.Op.INSERT);
        assertThat(sink.changes().get(0).before().text(1)).as("full old row kept").isEqualTo("a");
        assertThat(sink.changes().get(0).relation().keyColumns()).containsExactly(0);

        TransactionAssembler noPk = new TransactionAssembler(sink, t -> List.of());
        sink.events.clear();
        noPk.accept(1, rel(2, "full_nopk", 'f', false, "v"));
        noPk.accept(2, new Begin(600, 10, 8));
        noPk.accept(3, new Update(2, 'O', row("1", "a"), row("2", "b")));
        noPk.accept(4, new Commit(0, 600, 620, 10));
        assertThat(sink.changes()).extracting(Change::op).containsExactly(Change.Op.UPDATE);
        assertThat(sink.changes().get(0).relation().hasKey()).isFalse();
    }

    @Test
    void unchangedToastColumnsAreNamedNotNulled() {
        asm.accept(1, rel(1, "docs", 'd', true, "body", "title"));
        asm.accept(2, new Begin(500, 10, 7));
        asm.accept(3, new Update(1, (char) 0, null, row("1", "<u>", "new title")));
        asm.accept(4, new Commit(0, 500, 520, 10));
        Change c = sink.changes().get(0);
        assertThat(c.unchanged()).containsExactly("body");
        assertThat(c.after().kind(1)).isEqualTo(TupleData.Kind.UNCHANGED_TOAST);
        assertThat(c.after().text(2)).isEqualTo("new title");
    }

    @Test
    void truncateOfSeveralTablesGivesOneChangePerTable() {
        asm.accept(1, rel(1, "a", 'd', true));
        asm.accept(2, rel(2, "b", 'd', true));
        asm.accept(3, new Begin(500, 10, 7));
        asm.accept(4, new Truncate(true, true, List.of(1, 2)));
        asm.accept(5, new Commit(0, 500, 520, 10));
        List<Change> c = sink.changes();
        assertThat(c).extracting(Change::op).containsExactly(Change.Op.TRUNCATE, Change.Op.TRUNCATE);
        assertThat(c).extracting(ch -> ch.relation().table()).containsExactly(new TableId("public", "a"), new TableId("public", "b"));
        assertThat(c).extracting(Change::seq).containsExactly(0L, 1L);
        assertThat(c.get(0).before()).isNull();
        assertThat(c.get(0).after()).isNull();
    }

    @Test
    void relationMessagesReachTheSinkOnlyWhenTheShapeChanged() {
        asm.accept(1, rel(1, "a", 'd', true, "v"));
        asm.accept(2, rel(1, "a", 'd', true, "v"));
        asm.accept(3, rel(1, "a", 'd', true, "v", "added"));
        List<RelationInfo> rels = sink.events.stream().filter(RelationInfo.class::isInstance).map(RelationInfo.class::cast).toList();
        assertThat(rels).hasSize(2);
        assertThat(rels.get(1).columns()).extracting(Column::name).containsExactly("id", "v", "added");
    }

    @Test
    void marksInsideATransactionAreReportedOthersIgnored() {
        asm.accept(1, new Begin(500, 10, 7));
        asm.accept(2, new Message(true, 3, "pgkb.mark", "before-migration".getBytes(StandardCharsets.UTF_8)));
        asm.accept(3, new Message(true, 4, "someone.else", "x".getBytes(StandardCharsets.UTF_8)));
        asm.accept(4, new Commit(0, 500, 520, 10));
        asm.accept(5, new Message(false, 6, "pgkb.mark", "loose".getBytes(StandardCharsets.UTF_8)));
        assertThat(sink.events).contains("MARK before-migration@500").doesNotContain("MARK loose@500");
        asm.accept(7, new Message(false, 77, "pgkb.heartbeat", new byte[0]));
        assertThat(sink.events).contains("HEARTBEAT 77");
    }

    @Test
    void protocolViolationsAreFatal() {
        assertThatThrownBy(() -> asm.accept(1, new Insert(1, row("1"))))
                .isInstanceOf(PgkbException.FatalException.class);
        asm.accept(1, new Begin(500, 10, 7));
        assertThatThrownBy(() -> asm.accept(2, new Insert(99, row("1"))))
                .isInstanceOf(PgkbException.FatalException.class).hasMessageContaining("99");
        assertThatThrownBy(() -> asm.accept(3, new Commit(0, 501, 520, 10)))
                .isInstanceOf(PgkbException.FatalException.class).hasMessageContaining("does not match");
    }
}
