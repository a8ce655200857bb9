package io.pgkb.restorer.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.store.catalog.DumpRef;
import java.util.List;

/**
 * A DDL that rewrote the table changed rows the stream never carried, so no point between it and the next dump of
 * the table can be restored exactly: refused (exit 3), naming the DDL and the first point that can be. Replaying the
 * rewrite is not attempted: its expression (a {@code USING}, a volatile default) is only in the statement's text,
 * which is never replayed.
 */
final class RewriteRefusal {
    private RewriteRefusal() {
    }

    static PgkbException.ArchiveIncompleteException of(String table, DdlEvent e, List<DumpRef> dumps) {
        return of(table, e.commandTag(), e.commitLsn(), dumps);
    }

    static PgkbException.ArchiveIncompleteException of(String table, String commandTag, long commitLsn, List<DumpRef> dumps) {
        String next = dumps.stream().filter(d -> Lsn.compare(d.lsn().asLong(), commitLsn) > 0).findFirst()
                .map(d -> d.lsn() + " (the dump taken there)")
                .orElse("none yet: the archiver dumps the table on seeing the rewrite");
        return new PgkbException.ArchiveIncompleteException("table " + table + ": " + commandTag + " at commit_lsn "
                + Lsn.of(commitLsn) + " rewrote the table, so the stream lacks its rows after it; points between it "
                + "and the next dump cannot be restored exactly. First restorable point after it: " + next);
    }
}
