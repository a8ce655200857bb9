package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.producer.internal.PgOutputMessage.Begin;
import io.pgkb.producer.internal.PgOutputMessage.Column;
import io.pgkb.producer.internal.PgOutputMessage.Commit;
import io.pgkb.producer.internal.PgOutputMessage.Delete;
import io.pgkb.producer.internal.PgOutputMessage.Insert;
import io.pgkb.producer.internal.PgOutputMessage.Message;
import io.pgkb.producer.internal.PgOutputMessage.Origin;
import io.pgkb.producer.internal.PgOutputMessage.Relation;
import io.pgkb.producer.internal.PgOutputMessage.Truncate;
import io.pgkb.producer.internal.PgOutputMessage.Type;
import io.pgkb.producer.internal.PgOutputMessage.Update;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

    /** Builds messages byte by byte as the walsender writes them (big-endian, NUL-terminated strings). */
    static final class Buf {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Buf b(int v) {
            return io(() -> out.writeByte(v));
        }

        Buf c(char v) {
            return b(v);
        }

        Buf i16(int v) {
            return io(() -> out.writeShort(v));
        }

        Buf i32(int v) {
            return io(() -> out.writeInt(v));
        }

        Buf i64(long v) {
            return io(() -> out.writeLong(v));
        }

        Buf str(String s) {
            return io(() -> {
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.writeByte(0);
            });
        }

        Buf text(String s) {
            byte[] v = s.getBytes(StandardCharsets.UTF_8);
            return io(() -> {
                out.writeByte('t');
                out.writeInt(v.length);
                out.write(v);
            });
        }

        Buf raw(byte[] v) {
            return io(() -> out.write(v));
        }

        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes.toByteArray());
        }

        private interface IoAction {
            void run() throws IOException;
        }

        private Buf io(IoAction a) {
            try {
                a.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    private static final long PG_TS = 789_004_800_000_000L; // 2025-01-01T00:00:00Z in µs since 2000-01-01
    private static final long UNIX_TS = 1_735_689_600_000_000L;

    @Test
    void begin() {
        ByteBuffer b = new Buf().c('B').i64(0x16_B374D848L).i64(PG_TS).i32(0xFFFFFFF0).buffer();
        assertThat(PgOutputDecoder.decode(b)).isEqualTo(new Begin(0x16_B374D848L, UNIX_TS, 0xFFFFFFF0L));
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void commit() {
        ByteBuffer b = new Buf().c('C').b(0).i64(0x100L).i64(0x128L).i64(PG_TS).buffer();
        assertThat(PgOutputDecoder.decode(b)).isEqualTo(new Commit(0, 0x100L, 0x128L, UNIX_TS));
    }

    @Test
    void origin() {
        ByteBuffer b = new Buf().c('O').i64(42L).str("node_a").buffer();
        assertThat(PgOutputDecoder.decode(b)).isEqualTo(new Origin(42L, "node_a"));
    }

    @Test
    void relationWithKeyColumnsAndPgCatalogNamespace() {
        ByteBuffer b = new Buf().c('R').i32(16384).str("acc").str("Weird \"Name\".x ü").c('d').i16(3)
                .b(1).str("id").i32(20).i32(-1)
                .b(0).str("amount").i32(1700).i32((12 << 16 | 2) + 4)
                .b(0).str("note").i32(25).i32(-1)
                .buffer();
        Relation r = (Relation) PgOutputDecoder.decode(b);
        assertThat(r).isEqualTo(new Relation(16384, "acc", "Weird \"Name\".x ü", 'd', List.of(
                new Column(true, "id", 20, -1),
                new Column(false, "amount", 1700, (12 << 16 | 2) + 4),
                new Column(false, "note", 25, -1))));

        ByteBuffer cat = new Buf().c('R').i32(1).str("").str("t").c('f').i16(0).buffer();
        Relation r2 = (Relation) PgOutputDecoder.decode(cat);
        assertThat(r2.namespace()).isEqualTo("pg_catalog");
        assertThat(r2.replicaIdentity()).isEqualTo('f');
        assertThat(r2.columns()).isEmpty();
    }

    @Test
    void type() {
        ByteBuffer b = new Buf().c('Y').i32(90001).str("public").str("mood").buffer();
        assertThat(PgOutputDecoder.decode(b)).isEqualTo(new Type(90001, "public", "mood"));
    }

    @Test
    void insertWithNullUnchangedAndTextColumns() {
        ByteBuffer b = new Buf().c('I').i32(16384).c('N').i16(4)
                .text("1").b('n').text("").b('u').buffer();
        Insert ins = (Insert) PgOutputDecoder.decode(b);
        assertThat(ins.relationId()).isEqualTo(16384);
        TupleData t = ins.newTuple();
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.kind(0)).isEqualTo(TupleData.Kind.TEXT);
        assertThat(t.text(0)).isEqualTo("1");
        assertThat(t.kind(1)).isEqualTo(TupleData.Kind.NULL);
        assertThat(t.text(1)).isNull();
        assertThat(t.kind(2)).isEqualTo(TupleData.Kind.TEXT);
        assertThat(t.text(2)).as("empty string is not NULL").isEqualTo("");
        assertThat(t.kind(3)).isEqualTo(TupleData.Kind.UNCHANGED_TOAST);
    }

    @Test
    void textIsUtf8() {
        ByteBuffer b = new Buf().c('I').i32(1).c('N').i16(1).text("Grüße, 世界 🐘").buffer();
        assertThat(((Insert) PgOutputDecoder.decode(b)).newTuple().text(0)).isEqualTo("Grüße, 世界 🐘");
    }

    /** Text is decoded straight from the buffer's array: a slice (array offset, position) and a direct buffer too. */
    @Test
    void textFromASliceAndFromADirectBuffer() {
        byte[] msg = new Buf().c('I').i32(1).c('N').i16(3).text("Grüße").b('n').text("世界 🐘").buffer().array();
        byte[] padded = new byte[msg.length + 7];
        System.arraycopy(msg, 0, padded, 5, msg.length);
        ByteBuffer slice = ByteBuffer.wrap(padded, 5, msg.length).slice();
        ByteBuffer direct = ByteBuffer.allocateDirect(msg.length).put(msg).flip();
        for (ByteBuffer b : List.of(slice, direct)) {
            TupleData t = ((Insert) PgOutputDecoder.decode(b)).newTuple();
            assertThat(t.text(0)).isEqualTo("Grüße");
            assertThat(t.kind(1)).isEqualTo(TupleData.Kind.NULL);
            assertThat(t.text(2)).isEqualTo("世界 🐘");
            assertThat(b.hasRemaining()).isFalse();
        }
    }

    @Test
    void updateWithoutOldTuple() {
        ByteBuffer b = new Buf().c('U').i32(7).c('N').i16(2).text("1").b('u').buffer();
        Update u = (Update) PgOutputDecoder.decode(b);
        assertThat(u.oldKind()).isEqualTo((char) 0);
        assertThat(u.oldTuple()).isNull();
        assertThat(u.newTuple().kind(1)).isEqualTo(TupleData.Kind.UNCHANGED_TOAST);
    }

    @Test
    void updateWithOldKey() {
        ByteBuffer b = new Buf().c('U').i32(7).c('K').i16(2).text("1").b('n')
                .c('N').i16(2).text("2").text("x").buffer();
        Update u = (Update) PgOutputDecoder.decode(b);
        assertThat(u.oldKind()).isEqualTo('K');
        assertThat(u.oldTuple().text(0)).isEqualTo("1");
        assertThat(u.oldTuple().kind(1)).isEqualTo(TupleData.Kind.NULL);
        assertThat(u.newTuple().text(0)).isEqualTo("2");
        assertThat(u.newTuple().text(1)).isEqualTo("x");
    }

    @Test
    void updateWithOldFullRow() {
        ByteBuffer b = new Buf().c('U').i32(7).c('O').i16(2).text("a").text("b")
                .c('N').i16(2).text("a").text("c").buffer();
        Update u = (Update) PgOutputDecoder.decode(b);
        assertThat(u.oldKind()).isEqualTo('O');
        assertThat(u.oldTuple().text(1)).isEqualTo("b");
        assertThat(u.newTuple().text(1)).isEqualTo("c");
    }

    @Test
    void deleteWithKeyAndWithFullRow() {
        Delete k = (Delete) PgOutputDecoder.decode(new Buf().c('D').i32(9).c('K').i16(2).text("5").b('n').buffer());
        assertThat(k.oldKind()).isEqualTo('K');
        assertThat(k.oldTuple().text(0)).isEqualTo("5");
        Delete o = (Delete) PgOutputDecoder.decode(new Buf().c('D').i32(9).c('O').i16(2).text("5").text("v").buffer());
        assertThat(o.oldKind()).isEqualTo('O');
        assertThat(o.oldTuple().text(1)).isEqualTo("v");
    }

    @Test
    void truncateWithOptionsAndSeveralRelations() {
        Truncate t = (Truncate) PgOutputDecoder.decode(new Buf().c('T').i32(3).b(3).i32(10).i32(11).i32(12).buffer());
        assertThat(t.cascade()).isTrue();
        assertThat(t.restartIdentity()).isTrue();
        assertThat(t.relationIds()).containsExactly(10, 11, 12);

        Truncate plain = (Truncate) PgOutputDecoder.decode(new Buf().c('T').i32(1).b(0).i32(10).buffer());
        assertThat(plain.cascade()).isFalse();
        assertThat(plain.restartIdentity()).isFalse();
        Truncate restartOnly = (Truncate) PgOutputDecoder.decode(new Buf().c('T').i32(1).b(2).i32(10).buffer());
        assertThat(restartOnly.cascade()).isFalse();
        assertThat(restartOnly.restartIdentity()).isTrue();
    }

    @Test
    void transactionalAndNonTransactionalMessages() {
        byte[] content = "before-migration".getBytes(StandardCharsets.UTF_8);
        Message m = (Message) PgOutputDecoder.decode(new Buf().c('M').b(1).i64(0x55L).str("pgkb.mark")
                .i32(content.length).raw(content).buffer());
        assertThat(m.transactional()).isTrue();
        assertThat(m.lsn()).isEqualTo(0x55L);
        assertThat(m.prefix()).isEqualTo("pgkb.mark");
        assertThat(new String(m.content(), StandardCharsets.UTF_8)).isEqualTo("before-migration");

        Message n = (Message) PgOutputDecoder.decode(new Buf().c('M').b(0).i64(1L).str("other").i32(0).buffer());
        assertThat(n.transactional()).isFalse();
        assertThat(n.content()).isEmpty();
    }

    @Test
    void malformedInputFailsWithANamedError() {
        assertThatThrownBy(() -> PgOutputDecoder.decode(new Buf().c('Z').buffer()))
                .isInstanceOf(PgOutputDecoder.MalformedMessageException.class).hasMessageContaining("'Z'");
        assertThatThrownBy(() -> PgOutputDecoder.decode(new Buf().c('B').i64(1).buffer()))
                .isInstanceOf(PgOutputDecoder.MalformedMessageException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PgOutputDecoder.decode(new Buf().c('I').i32(1).c('N').i16(1).c('t').i32(99).buffer()))
                .isInstanceOf(PgOutputDecoder.MalformedMessageException.class).hasMessageContaining("length 99");
        assertThatThrownBy(() -> PgOutputDecoder.decode(new Buf().c('Y').i32(1).raw(new byte[] {'a', 'b'}).buffer()))
                .isInstanceOf(PgOutputDecoder.MalformedMessageException.class).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> PgOutputDecoder.decode(new Buf().c('D').i32(1).c('N').i16(0).buffer()))
                .isInstanceOf(PgOutputDecoder.MalformedMessageException.class).hasMessageContaining("Delete");
        assertThatThrownBy(() -> PgOutputDecoder.decode(new Buf().c('I').i32(1).c('N').i16(1).c('x').buffer()))
                .isInstanceOf(PgOutputDecoder.MalformedMessageException.class).hasMessageContaining("'x'");
    }
}
