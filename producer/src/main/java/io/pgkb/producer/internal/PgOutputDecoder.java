package io.pgkb.producer.internal;

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
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes pgoutput messages (protocol version 1, with {@code messages 'true'}) from the payload of one XLogData
 * message. Pure: no I/O, no JDBC, no state. All integers are big-endian; {@code String} is a NUL-terminated
 * UTF-8 string (the walsender converts to the client encoding, which pgjdbc sets to UTF8).
 */
public final class PgOutputDecoder {
    /** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
    static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

    private PgOutputDecoder() {
    }

    /** Decodes one message; the buffer's position is advanced past it. */
    public static PgOutputMessage decode(ByteBuffer buf) {
        if (!buf.hasRemaining()) {
            throw new MalformedMessageException("empty pgoutput message");
        }
        char tag = (char) buf.get();
        try {
            return switch (tag) {
                case 'B' -> begin(buf);
                case 'C' -> commit(buf);
                case 'O' -> origin(buf);
                case 'R' -> relation(buf);
                case 'Y' -> type(buf);
                case 'I' -> insert(buf);
                case 'U' -> update(buf);
                case 'D' -> delete(buf);
                case 'T' -> truncate(buf);
                case 'M' -> message(buf);
                default -> throw new MalformedMessageException("unknown pgoutput message type '" + tag
                        + "' (0x" + Integer.toHexString(tag) + "); only protocol version 1 is supported");
            };
        } catch (BufferUnderflowException e) {
            throw new MalformedMessageException("truncated pgoutput message of type '" + tag + "'");
        }
    }

    /** 'B' | Int64 final_lsn (= commit LSN) | Int64 commit timestamp (µs since 2000-01-01) | Int32 xid. */
    static Begin begin(ByteBuffer b) {
        long finalLsn = b.getLong();
        long ts = b.getLong();
        long xid = Integer.toUnsignedLong(b.getInt());
        return new Begin(finalLsn, pgToUnixMicros(ts), xid);
    }

    /** 'C' | Int8 flags (unused, 0) | Int64 commit LSN | Int64 end LSN of the transaction | Int64 commit timestamp. */
    static Commit commit(ByteBuffer b) {
        int flags = b.get() & 0xFF;
        long commitLsn = b.getLong();
        long endLsn = b.getLong();
        long ts = b.getLong();
        return new Commit(flags, commitLsn, endLsn, pgToUnixMicros(ts));
    }

    /** 'O' | Int64 commit LSN on the origin server | String origin name. */
    static Origin origin(ByteBuffer b) {
        long lsn = b.getLong();
        return new Origin(lsn, string(b));
    }

    /**
     * 'R' | Int32 relation OID | String namespace ("" for pg_catalog) | String relation name | Int8 replica identity
     * ('d','n','f','i') | Int16 column count | per column: Int8 flags (1 = part of the key) | String name |
     * Int32 type OID | Int32 typmod.
     */
    static Relation relation(ByteBuffer b) {
        int relId = b.getInt();
        String ns = string(b);
        String name = string(b);
        char identity = (char) b.get();
        int n = b.getShort() & 0xFFFF;
        List<Column> cols = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int flags = b.get() & 0xFF;
            String col = string(b);
            int oid = b.getInt();
            int typmod = b.getInt();
            cols.add(new Column((flags & 1) != 0, col, oid, typmod));
        }
        return new Relation(relId, ns.isEmpty() ? "pg_catalog" : ns, name, identity, cols);
    }

    /** 'Y' | Int32 type OID | String namespace ("" for pg_catalog) | String type name. */
    static Type type(ByteBuffer b) {
        int oid = b.getInt();
        String ns = string(b);
        String name = string(b);
        return new Type(oid, ns.isEmpty() ? "pg_catalog" : ns, name);
    }

    /** 'I' | Int32 relation OID | Byte1 'N' | TupleData new row. */
    static Insert insert(ByteBuffer b) {
        int relId = b.getInt();
        expect(b, 'N', "Insert");
        return new Insert(relId, tuple(b));
    }

    /**
     * 'U' | Int32 relation OID | optionally (Byte1 'K' | TupleData old key) or (Byte1 'O' | TupleData old row)
     * | Byte1 'N' | TupleData new row. 'K' is sent only when a key column changed; 'O' under REPLICA IDENTITY FULL.
     */
    static Update update(ByteBuffer b) {
        int relId = b.getInt();
        char kind = (char) b.get();
        char oldKind = 0;
        TupleData old = null;
        if (kind == 'K' || kind == 'O') {
            oldKind = kind;
            old = tuple(b);
            kind = (char) b.get();
        }
        if (kind != 'N') {
            throw new MalformedMessageException("Update: expected 'N', 'K' or 'O' but got '" + kind + "'");
        }
        return new Update(relId, oldKind, old, tuple(b));
    }

    /** 'D' | Int32 relation OID | Byte1 'K' (old key) or 'O' (old row) | TupleData. */
    static Delete delete(ByteBuffer b) {
        int relId = b.getInt();
        char kind = (char) b.get();
        if (kind != 'K' && kind != 'O') {
            throw new MalformedMessageException("Delete: expected 'K' or 'O' but got '" + kind + "'");
        }
        return new Delete(relId, kind, tuple(b));
    }

    /** 'T' | Int32 relation count | Int8 options (1 = CASCADE, 2 = RESTART IDENTITY) | Int32 relation OID per relation. */
    static Truncate truncate(ByteBuffer b) {
        int n = b.getInt();
        int options = b.get() & 0xFF;
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(b.getInt());
        }
        return new Truncate((options & 1) != 0, (options & 2) != 0, ids);
    }

    /** 'M' | Int8 flags (1 = transactional) | Int64 LSN of the message | String prefix | Int32 length | Byte[n] content. */
    static Message message(ByteBuffer b) {
        int flags = b.get() & 0xFF;
        long lsn = b.getLong();
        String prefix = string(b);
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new MalformedMessageException("Message: content length " + len + " exceeds the message");
        }
        byte[] content = new byte[len];
        b.get(content);
        return new Message((flags & 1) != 0, lsn, prefix, content);
    }

    /**
     * TupleData: Int16 column count | per column Byte1 kind: 'n' NULL, 'u' unchanged TOAST (no value sent),
     * 't' text (Int32 length | Byte[n] text form), 'b' binary (Int32 length | Byte[n]).
     */
    static TupleData tuple(ByteBuffer b) {
        int n = b.getShort() & 0xFFFF;
        TupleData.Value[] values = new TupleData.Value[n];
        for (int i = 0; i < n; i++) {
            char kind = (char) b.get();
            switch (kind) {
                case 'n' -> values[i] = TupleData.Value.NULL;
                case 'u' -> values[i] = TupleData.Value.UNCHANGED;
                case 't', 'b' -> {
                    int len = b.getInt();
                    if (len < 0 || len > b.remaining()) {
                        throw new MalformedMessageException("column " + i + ": length " + len + " exceeds the message");
                    }
                    values[i] = kind == 't' ? TupleData.Value.text(utf8(b, len))
                            : new TupleData.Value(TupleData.Kind.BINARY, null, bytes(b, len));
                }
                default -> throw new MalformedMessageException("column " + i + ": unknown tuple value kind '" + kind + "'");
            }
        }
        return TupleData.owning(values);
    }

    /** The next {@code len} bytes as UTF-8 text, decoded straight from the buffer's array when it has one. */
    private static String utf8(ByteBuffer b, int len) {
        if (!b.hasArray()) {
            return new String(bytes(b, len), StandardCharsets.UTF_8);
        }
        String s = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        return s;
    }

    private static byte[] bytes(ByteBuffer b, int len) {
        byte[] bytes = new byte[len];
        b.get(bytes);
        return bytes;
    }

    private static void expect(ByteBuffer b, char want, String what) {
        char got = (char) b.get();
        if (got != want) {
            throw new MalformedMessageException(what + ": expected '" + want + "' but got '" + got + "'");
        }
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        int end = start;
        while (true) {
            if (end >= b.limit()) {
                throw new MalformedMessageException("unterminated string in pgoutput message");
            }
            if (b.get(end) == 0) {
                break;
            }
            end++;
        }
        byte[] bytes = new byte[end - start];
        b.get(bytes);
        b.get();
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static long pgToUnixMicros(long pgMicros) {
        return pgMicros + PG_EPOCH_OFFSET_MICROS;
    }

    /** A message that does not follow the protocol; always fatal (no silent loss). */
    public static final class MalformedMessageException extends RuntimeException {
        public MalformedMessageException(String message) {
            super(message);
        }
    }
}
