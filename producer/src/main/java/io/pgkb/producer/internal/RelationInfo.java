package io.pgkb.producer.internal;

import io.pgkb.producer.internal.PgOutputMessage.Column;
import io.pgkb.schemas.TableId;
import java.util.List;

/**
 * A relation as the stream last described it, plus the columns of its Kafka key. {@code keyColumns} are indexes
 * into {@code columns}: the replica identity columns, or for REPLICA IDENTITY FULL the primary key (empty when the
 * table has none: key-less FULL tables get a null Kafka key). {@code version} increases with every Relation message
 * that changed the definition within this session.
 */
public record RelationInfo(int relationId, TableId table, char replicaIdentity, List<Column> columns,
                           List<Integer> keyColumns) {
    public RelationInfo {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
    }

    public boolean hasKey() {
        return !keyColumns.isEmpty();
    }

    /** Same columns (names, types, typmods, key flags) and identity: no new schema needed. */
    public boolean sameShape(RelationInfo o) {
        return o != null && table.equals(o.table) && replicaIdentity == o.replicaIdentity
                && columns.equals(o.columns) && keyColumns.equals(o.keyColumns);
    }
}
