package io.pgkb.producer.internal;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SchemaRegistrar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Encodes changes with the schemas of the relation version they belong to; registers every new version (in
 * {@code _schemas}, acknowledged, and in registry mode in the schema registry: {@link SchemaFraming}) before the first
 * record that uses it. The bytes come from the relation version's
 * {@link RelationEncoding}, built once per Relation message.
 */
public final class AvroRecordEncoder implements RecordEncoder {
    /** {@code format_type(oid, typmod)} */
    public interface TypeNames {
        String typeName(int oid, int typmod);
    }

    private final TypeNames types;
    private final SchemaFraming framing;
    private final String prefix;
    private final Map<Integer, RelationEncoding> current = new HashMap<>();
    private final RelationEncoding.Output output = new RelationEncoding.Output(); // one buffer for every relation
    // consecutive changes are mostly of the same relation: skip the map lookup for them
    private int lastRelationId;
    private RelationEncoding last;

    public AvroRecordEncoder(TypeNames types, SchemaRegistrar registrar) {
        this(types, SchemaFraming.singleObject(registrar), "pgkb");
    }

    /** @param prefix the topic prefix, naming registry subjects ({@code <topic>-key}, {@code <topic>-value}) */
    public AvroRecordEncoder(TypeNames types, SchemaFraming framing, String prefix) {
        this.types = types;
        this.framing = framing;
        this.prefix = prefix;
    }

    AvroRecordEncoder(TypeNames types, Function<org.apache.avro.Schema, String> register) {
        this(types, SchemaFraming.singleObject(register), "pgkb");
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
        String topic = rel.table().topic(prefix);
        byte[] keyHeader = env.schemas().key() == null ? null : framing.header(topic + "-key", env.schemas().key());
        byte[] valueHeader = framing.header(topic + "-value", env.schemas().value());
        current.put(rel.relationId(), new RelationEncoding(env, output, keyHeader, valueHeader));
        last = null;
    }

    /**
     * Registry mode registers the DDL schema under {@code <topic>-io.pgkb.DdlEvent} (TopicRecordNameStrategy): under
     * {@code <topic>-value} a compatibility rule would compare it with the change envelope and refuse it.
     */
    @Override
    public byte[] encodeDdl(io.pgkb.schemas.TableId table, io.pgkb.schemas.DdlEvent ddl) {
        byte[] header = framing.header(table.topic(prefix) + "-" + io.pgkb.schemas.DdlEvent.SCHEMA_NAME,
                io.pgkb.schemas.DdlEvent.SCHEMA);
        byte[] singleObject = ddl.encode();
        byte[] out = new byte[header.length + singleObject.length - 10];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(singleObject, 10, out, header.length, singleObject.length - 10);
        return out;
    }

    @Override
    public Encoded encode(Change c) {
        int id = c.relation().relationId();
        RelationEncoding enc = last;
        if (enc == null || lastRelationId != id) {
            enc = current.get(id);
            if (enc == null) {
                throw new IllegalStateException("no schema for relation " + c.relation().table());
            }
            last = enc;
            lastRelationId = id;
        }
        try {
            return enc.encode(c);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.FatalException("cannot encode change of " + c.relation().table().qualified()
                    + " at lsn " + Lsn.of(c.lsn()) + " (commit_lsn " + Lsn.of(c.txn().commitLsn()) + ", seq " + c.seq()
                    + "): " + e.getMessage(), e);
        }
    }
}
