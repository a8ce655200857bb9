package io.pgkb.producer.internal;

import io.pgkb.producer.internal.PgOutputMessage.Begin;
import io.pgkb.producer.internal.PgOutputMessage.Commit;
import io.pgkb.producer.internal.PgOutputMessage.Delete;
import io.pgkb.producer.internal.PgOutputMessage.Insert;
import io.pgkb.producer.internal.PgOutputMessage.Message;
import io.pgkb.producer.internal.PgOutputMessage.Relation;
import io.pgkb.producer.internal.PgOutputMessage.Truncate;
import io.pgkb.producer.internal.PgOutputMessage.Update;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the decoded pgoutput stream into change records: numbers the changes of each transaction (all tables,
 * from 0), splits primary-key changes into DELETE + INSERT, fans TRUNCATE out per table, collects unchanged TOAST
 * columns. Holds nothing per change: each one goes to the sink as it arrives, so a transaction of any size passes
 * with fixed memory. Not thread-safe; one instance per replication session.
 */
public final class TransactionAssembler {
    private static final Logger log = LoggerFactory.getLogger(TransactionAssembler.class);
    public static final String MARK_PREFIX = "pgkb.mark";
    public static final String HEARTBEAT_PREFIX = "pgkb.heartbeat";
    public static final String DDL_PREFIX = "pgkb.ddl";

    private final ChangeSink sink;
    private final KeyResolver keys;
    private final Map<Integer, RelationInfo> relations = new HashMap<>();
    /** The publication whose tables' DDL is published; null: DDL capture off, {@code pgkb.ddl} messages ignored. */
    private final String ddlPublication;
    private Txn txn;
    private long seq;

    public TransactionAssembler(ChangeSink sink, KeyResolver keys) {
        this(sink, keys, null);
    }

    /** @param ddlPublication publish the captured DDL of this publication's tables; null: none */
    public TransactionAssembler(ChangeSink sink, KeyResolver keys, String ddlPublication) {
        this.sink = sink;
        this.keys = keys;
        this.ddlPublication = ddlPublication;
    }

    /** True between BEGIN and COMMIT. */
    public boolean inTransaction() {
        return txn != null;
    }

    /** Handles one message; {@code lsn} is the WAL position the walsender sent with it (XLogData start). */
    public void accept(long lsn, PgOutputMessage message) {
        if (message instanceof Begin b) {
            begin(b);
        } else if (message instanceof Commit c) {
            commit(c);
        } else if (message instanceof Relation r) {
            relation(r);
        } else if (message instanceof Insert i) {
            insert(lsn, i);
        } else if (message instanceof Update u) {
            update(lsn, u);
        } else if (message instanceof Delete d) {
            delete(lsn, d);
        } else if (message instanceof Truncate t) {
            truncate(lsn, t);
        } else if (message instanceof Message m) {
            message(m);
        }
        // Type: names come from format_type(), which also knows the typmod.
        // Origin: replicated-in transactions are backed up like any other.
    }

    private void begin(Begin b) {
        if (txn != null) {
            throw new PgkbException.FatalException("pgoutput stream: BEGIN of xid " + b.xid() + " inside xid " + txn.xid());
        }
        txn = new Txn(b.xid(), b.finalLsn(), b.commitTimeMicros());
        seq = 0;
        sink.begin(txn);
    }

    private void commit(Commit c) {
        Txn t = requireTxn("COMMIT");
        if (c.commitLsn() != t.commitLsn()) {
            throw new PgkbException.FatalException("pgoutput stream: COMMIT lsn " + Lsn.of(c.commitLsn())
                    + " does not match BEGIN final_lsn " + Lsn.of(t.commitLsn()) + " of xid " + t.xid());
        }
        txn = null;
        sink.commit(t, c.endLsn());
    }

    private void relation(Relation r) {
        TableId table = new TableId(r.namespace(), r.name());
        List<Integer> key = keyColumns(r, table);
        RelationInfo info = new RelationInfo(r.relationId(), table, r.replicaIdentity(), r.columns(), key);
        RelationInfo prev = relations.put(r.relationId(), info);
        if (!info.sameShape(prev)) {
            sink.relation(info);
        }
    }

    private List<Integer> keyColumns(Relation r, TableId table) {
        List<Integer> out = new ArrayList<>();
        if (r.replicaIdentity() == 'f') {
            // under FULL the stream flags every column; the Kafka key is the primary key, if there is one
            List<String> pk = keys.primaryKey(table);
            for (String name : pk) {
                for (int i = 0; i < r.columns().size(); i++) {
                    if (r.columns().get(i).name().equals(name)) {
                        out.add(i);
                    }
                }
            }
            return out;
        }
        for (int i = 0; i < r.columns().size(); i++) {
            if (r.columns().get(i).key()) {
                out.add(i);
            }
        }
        return out;
    }

    private void insert(long lsn, Insert i) {
        RelationInfo rel = relation(i.relationId());
        emit(Change.Op.INSERT, rel, null, i.newTuple(), lsn);
    }

    private void update(long lsn, Update u) {
        RelationInfo rel = relation(u.relationId());
        if (u.oldTuple() != null && keyChanged(rel, u.oldTuple(), u.newTuple())) {
            emit(Change.Op.DELETE, rel, u.oldTuple(), null, lsn);
            emit(Change.Op.INSERT, rel, null, u.newTuple(), lsn);
            return;
        }
        emit(Change.Op.UPDATE, rel, u.oldTuple(), u.newTuple(), lsn);
    }

    private void delete(long lsn, Delete d) {
        emit(Change.Op.DELETE, relation(d.relationId()), d.oldTuple(), null, lsn);
    }

    private void truncate(long lsn, Truncate t) {
        for (int id : t.relationIds()) {
            emit(Change.Op.TRUNCATE, relation(id), null, null, lsn);
        }
    }

    private void message(Message m) {
        if (HEARTBEAT_PREFIX.equals(m.prefix())) {
            if (!m.transactional() && txn == null) {
                sink.heartbeat(m.lsn());
            }
            return;
        }
        if (DDL_PREFIX.equals(m.prefix())) {
            ddl(m);
            return;
        }
        if (!MARK_PREFIX.equals(m.prefix())) {
            return;
        }
        String name = new String(m.content(), StandardCharsets.UTF_8);
        if (!m.transactional() || txn == null) {
            log.warn("ignoring non-transactional mark name={} lsn={}: use pg_logical_emit_message(true, 'pgkb.mark', name)",
                    name, Lsn.of(m.lsn()));
            return;
        }
        sink.mark(txn, name);
    }

    /**
     * A captured DDL. Every one takes a seq, kept or not: a transaction re-sent after a restart (perhaps with another
     * --ddl-capture or publication) numbers its changes exactly as before, so a restore's de-duplication holds.
     */
    private void ddl(Message m) {
        if (!m.transactional() || txn == null) {
            return; // the trigger emits only transactional messages
        }
        long s = seq++;
        if (ddlPublication == null) {
            return;
        }
        DdlMessage d;
        try {
            d = DdlMessage.parse(m.content());
        } catch (IllegalArgumentException e) {
            log.warn("ignoring pgkb.ddl message lsn={} xid={}: {}", Lsn.of(m.lsn()), txn.xid(), e.getMessage());
            return;
        }
        if (d.error() != null) {
            log.warn("DDL capture failed in the event trigger for {} in xid={} commit_lsn={}: {}; a restore to a point "
                    + "after it is exact for rows, and for the definition from the next dump on", d.tag(), txn.xid(),
                    Lsn.of(txn.commitLsn()), d.error());
            return;
        }
        if (d.dropped() || d.publishedIn(ddlPublication)) {
            sink.ddl(new DdlChange(d, m.lsn(), txn, s));
        }
    }

    /** The old key differs from the new row's key columns; unchanged TOAST in the new row means "same value". */
    static boolean keyChanged(RelationInfo rel, TupleData old, TupleData now) {
        for (int i : rel.keyColumns()) {
            if (i >= old.size() || i >= now.size()) {
                continue;
            }
            TupleData.Value n = now.get(i);
            if (n.kind() == TupleData.Kind.UNCHANGED_TOAST) {
                continue;
            }
            TupleData.Value o = old.get(i);
            if (o.kind() != n.kind() || !Objects.equals(o.text(), n.text())) {
                return true;
            }
        }
        return false;
    }

    private void emit(Change.Op op, RelationInfo rel, TupleData before, TupleData after, long lsn) {
        Txn t = requireTxn(op.name());
        sink.change(new Change(op, rel, before, after, unchanged(rel, after), lsn, t, seq++));
    }

    private static List<String> unchanged(RelationInfo rel, TupleData after) {
        if (after == null) {
            return List.of();
        }
        List<String> out = null;
        for (int i = 0; i < after.size(); i++) {
            if (after.kind(i) == TupleData.Kind.UNCHANGED_TOAST) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(rel.columns().get(i).name());
            }
        }
        return out == null ? List.of() : out;
    }

    private RelationInfo relation(int id) {
        RelationInfo rel = relations.get(id);
        if (rel == null) {
            throw new PgkbException.FatalException("pgoutput stream: change for relation OID " + id
                    + " before its Relation message" + (txn == null ? "" : " (xid " + txn.xid() + ")"));
        }
        return rel;
    }

    private Txn requireTxn(String what) {
        if (txn == null) {
            throw new PgkbException.FatalException("pgoutput stream: " + what + " outside a transaction");
        }
        return txn;
    }

}
