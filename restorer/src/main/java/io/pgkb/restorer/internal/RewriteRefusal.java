package io.pgkb.restorer.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.store.catalog.DumpRef;
import java.util.List;
import java.util.Optional;

/**
 * A DDL that rewrote the table changed rows the stream never carried, so no point between it and the next dump of
 * the table can be restored exactly: refused (exit 3), naming the DDL and the first point that can be. Replaying the
 * rewrite is not attempted: its expression (a {@code USING}, a volatile default) is only in the statement's text,
 * which is never replayed. A dropped table is refused the same way: what bears its name afterwards (re-created, or
 * swapped in by {@code restore --replace}) is another table whose first rows the stream never carried.
 */
final class RewriteRefusal {
    private RewriteRefusal() {
    }

    static PgkbException.ArchiveIncompleteException of(String table, DdlEvent e, List<DumpRef> dumps) {
        return of(table, e.commandTag(), e.commitLsn(), dumps);
    }

    /** Whether points after this DDL and before the table's next dump are refused (the rule plan and list share). */
    static boolean refuses(RestorePlan.Ddl d) {
        return d.rewrite() || d.dropped();
    }

    /** The refusal of a plan whose DDL records include {@code d} ({@link #refuses}). */
    static PgkbException.ArchiveIncompleteException of(String table, RestorePlan.Ddl d, List<DumpRef> dumps) {
        return d.dropped() ? dropped(table, d.commandTag(), d.commitLsn(), dumps) : of(table, d.commandTag(), d.commitLsn(), dumps);
    }

    /** The first dump after {@code commitLsn}: where points are restorable again after a refusing DDL. */
    static Optional<DumpRef> nextDump(List<DumpRef> dumps, long commitLsn) {
        return dumps.stream().filter(d -> Lsn.compare(d.lsn().asLong(), commitLsn) > 0).findFirst();
    }

    static PgkbException.ArchiveIncompleteException of(String table, String commandTag, long commitLsn, List<DumpRef> dumps) {
        String next = next(dumps, commitLsn, "none yet: the archiver dumps the table on seeing the rewrite");
        return new PgkbException.ArchiveIncompleteException("table " + table + ": " + commandTag + " at commit_lsn "
                + Lsn.of(commitLsn) + " rewrote the table, so the stream lacks its rows after it; points between it "
                + "and the next dump cannot be restored exactly. First restorable point after it: " + next);
    }

    /** The table was dropped at {@code commitLsn} (DROP TABLE, or the swap of a {@code restore --replace}). */
    static PgkbException.ArchiveIncompleteException dropped(String table, String commandTag, long commitLsn, List<DumpRef> dumps) {
        String next = next(dumps, commitLsn, "none yet: take one with pgkb dump --tables " + table
                + " (accepted once the producer publishes the table again)");
        return new PgkbException.ArchiveIncompleteException("table " + table + ": " + commandTag + " at commit_lsn "
                + Lsn.of(commitLsn) + " dropped it (a restore --replace drops the table it replaces), so a table of that "
                + "name after it is a new one whose rows the stream did not carry from the start; restore to a point "
                + "before it, or to one at or after the next dump. First restorable point after it: " + next);
    }

    private static String next(List<DumpRef> dumps, long commitLsn, String none) {
        return nextDump(dumps, commitLsn).map(d -> d.lsn() + " (the dump taken there)").orElse(none);
    }
}
