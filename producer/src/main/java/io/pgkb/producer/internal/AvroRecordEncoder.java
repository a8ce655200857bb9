package io.pgkb.producer.internal;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SingleObjectCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;

/**
 * Encodes changes with the schemas of the relation version they belong to; registers every new version in
 * {@code _schemas} (acknowledged) before the first record that uses it.
 */
public final class AvroRecordEncoder implements RecordEncoder {
    /** {@code format_type(oid, typmod)} */
    public interface TypeNames {
        String typeName(int oid, int typmod);
    }

    private final TypeNames types;
    private final Function<org.apache.avro.Schema, String> register;
    private final Map<Integer, ChangeEnvelopes> current = new HashMap<>();

    public AvroRecordEncoder(TypeNames types, SchemaRegistrar registrar) {
        this(types, registrar::ensureRegistered);
    }

    AvroRecordEncoder(TypeNames types, Function<org.apache.avro.Schema, String> register) {
        this.types = types;
        this.register = register;
    }

    @Override
    public void relation(RelationInfo rel) {
        List<ColumnDef> cols = new ArrayList<>(rel.columns().size());
        for (int i = 0; i < rel.columns().size(); i++) {
            PgOutputMessage.Column c = rel.columns().get(i);
            cols.add(new ColumnDef(c.name(), c.typeOid(), c.typmod(), types.typeName(c.typeOid(), c.typmod()),
                    rel.keyColumns().contains(i)));
        }
        ChangeEnvelopes env = new ChangeEnvelopes(new RelationDef(rel.relationId(), rel.table(), rel.replicaIdentity(), cols));
        if (env.schemas().key() != null) {
            register.apply(env.schemas().key());
        }
        register.apply(env.schemas().value());
        current.put(rel.relationId(), env);
    }

    @Override
    public Encoded encode(Change c) {
        ChangeEnvelopes env = current.get(c.relation().relationId());
        if (env == null) {
            throw new IllegalStateException("no schema for relation " + c.relation().table());
        }
        try {
            GenericRecord before = row(env, c.before());
            GenericRecord after = row(env, c.after());
            ChangeSource src = new ChangeSource(c.lsn(), c.txn().commitLsn(), c.txn().xid(), c.txn().commitTimeMicros(),
                    c.seq(), c.relation().table());
            GenericRecord value = env.value(Op.valueOf(c.op().name()), before, after, c.unchanged(), src);
            GenericRecord key = c.op() == Change.Op.TRUNCATE ? null : env.key(after != null ? after : before);
            return new Encoded(key == null ? null : SingleObjectCodec.encode(env.schemas().key(), key),
                    SingleObjectCodec.encode(env.schemas().value(), value));
        } catch (IllegalArgumentException e) {
            throw new PgkbException.FatalException("cannot encode change of " + c.relation().table().qualified()
                    + " at lsn " + Lsn.of(c.lsn()) + " (commit_lsn " + Lsn.of(c.txn().commitLsn()) + ", seq " + c.seq()
                    + "): " + e.getMessage(), e);
        }
    }

    private static GenericRecord row(ChangeEnvelopes env, TupleData t) {
        if (t == null) {
            return null;
        }
        List<String> texts = new ArrayList<>(t.size());
        for (int i = 0; i < t.size(); i++) {
            TupleData.Value v = t.get(i);
            if (v.kind() == TupleData.Kind.BINARY) {
                throw new IllegalArgumentException("column " + i + " arrived in binary format, which pgkb never requests");
            }
            texts.add(v.text());
        }
        return env.row(texts);
    }
}
