package io.pgkb.producer.internal;

import java.util.List;

/**
 * One decoded pgoutput message (protocol version 1 plus logical decoding messages). Immutable; LSNs are raw
 * unsigned 64-bit values, timestamps are microseconds since the Unix epoch (converted from PostgreSQL's 2000 epoch).
 */
public sealed interface PgOutputMessage {

    record Begin(long finalLsn, long commitTimeMicros, long xid) implements PgOutputMessage {
    }

    record Commit(int flags, long commitLsn, long endLsn, long commitTimeMicros) implements PgOutputMessage {
    }

    record Origin(long originLsn, String name) implements PgOutputMessage {
    }

    /** A column of a Relation message; {@code key} is true for replica identity columns. */
    record Column(boolean key, String name, int typeOid, int typmod) {
    }

    /** Replica identity setting: 'd' default (primary key), 'n' nothing, 'f' full, 'i' index. */
    record Relation(int relationId, String namespace, String name, char replicaIdentity, List<Column> columns)
            implements PgOutputMessage {
        public Relation {
            columns = List.copyOf(columns);
        }
    }

    record Type(int typeOid, String namespace, String name) implements PgOutputMessage {
    }

    record Insert(int relationId, TupleData newTuple) implements PgOutputMessage {
    }

    /**
     * {@code oldKind} is 'K' (old key columns, sent when the key changed), 'O' (whole old row, REPLICA IDENTITY
     * FULL) or 0 when no old tuple was sent; {@code oldTuple} is null exactly when {@code oldKind} is 0.
     */
    record Update(int relationId, char oldKind, TupleData oldTuple, TupleData newTuple) implements PgOutputMessage {
    }

    /** {@code oldKind} is 'K' or 'O'. */
    record Delete(int relationId, char oldKind, TupleData oldTuple) implements PgOutputMessage {
    }

    record Truncate(boolean cascade, boolean restartIdentity, List<Integer> relationIds) implements PgOutputMessage {
        public Truncate {
            relationIds = List.copyOf(relationIds);
        }
    }

    /** A logical decoding message (pg_logical_emit_message); content kept as bytes, the prefix as text. */
    record Message(boolean transactional, long lsn, String prefix, byte[] content) implements PgOutputMessage {
        public Message {
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }
    }
}
