package io.pgkb.producer.internal;

import java.util.List;

/**
 * One change record to publish. {@code before}/{@code after} are tuples in the relation's column order (null when
 * absent); {@code unchanged} names the columns of {@code after} whose value the server did not send (unchanged
 * TOAST). For TRUNCATE both tuples are null and the record goes to every partition of the table's topic.
 */
public record Change(Op op, RelationInfo relation, TupleData before, TupleData after, List<String> unchanged,
                     long lsn, Txn txn, long seq) {
    public enum Op { INSERT, UPDATE, DELETE, TRUNCATE }

    public Change {
        unchanged = List.copyOf(unchanged);
    }
}
