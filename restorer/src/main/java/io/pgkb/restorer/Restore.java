package io.pgkb.restorer;

import io.pgkb.restorer.internal.Restorer;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.store.ObjectStore;
import java.io.PrintStream;
import java.util.List;

/**
 * Restores chosen tables from an archive into a database: the restorer's entry point for programs that embed it
 * (benchmarks, tools); {@code pgkb restore} does the same with options. Refusals are {@code PgkbException}s with
 * the exit code the command would give.
 */
public final class Restore {
    private final Restorer restorer;

    /**
     * @param topicPrefix the archive's namespace
     * @param target      the database the tables are rebuilt in
     * @param out         where the plan and the progress are printed
     */
    public Restore(ObjectStore store, String topicPrefix, PgUrl target, RestoreTuning tuning, PrintStream out) {
        this.restorer = new Restorer(store, topicPrefix, target, tuning, out);
    }

    /**
     * Rebuilds {@code tables} at {@code point}; with {@code replace}, existing target tables are swapped atomically;
     * with {@code dryRun}, only plans and verifies. Returns the LSN restored to.
     */
    public long run(List<TableTarget> tables, RestoreTargetSpec point, boolean replace, boolean dryRun) throws Exception {
        return restorer.restore(tables, point, replace, dryRun).point();
    }
}
