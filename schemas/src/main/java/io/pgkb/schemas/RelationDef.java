package io.pgkb.schemas;

import java.util.List;
import java.util.Objects;

/**
 * A relation version: what a pgoutput Relation message says about a table, plus type names.
 *
 * @param replicaIdentity {@code 'd'} default (primary key), {@code 'n'} nothing, {@code 'f'} full, {@code 'i'} index
 * @param columns         in table order (the order of values in Insert/Update/Delete messages)
 */
public record RelationDef(int relationOid, TableId table, char replicaIdentity, List<ColumnDef> columns) {
    public RelationDef {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
    }

    public List<ColumnDef> keyColumns() {
        return columns.stream().filter(ColumnDef::key).toList();
    }
}
