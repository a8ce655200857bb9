package io.pgkb.store.catalog;

import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;

/** A completed dump: its manifest exists (the manifest is written last, so it is the dump's commit point). */
public record DumpRef(TableId table, Lsn lsn, String manifestKey, String dataKey) {
}
