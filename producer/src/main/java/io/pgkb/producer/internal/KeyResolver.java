package io.pgkb.producer.internal;

import io.pgkb.schemas.TableId;
import java.util.List;

/** Primary-key column names of a table, for REPLICA IDENTITY FULL relations whose stream flags every column. */
public interface KeyResolver {
    List<String> primaryKey(TableId table);
}
