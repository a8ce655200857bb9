package io.pgkb.restorer;

import io.pgkb.restorer.internal.ArchiveVerifier;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pgkb verify}: checksums and continuity of the archive; exit 3 naming each problem, 0 when sound. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Read every object of the archive (or of --tables): checksums, gaps between segments, overlapping objects "
                + "that disagree, dumps. Prints one line per problem; exit 3 when there is any.")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ArchiveSelection selection = new ArchiveSelection();

    PrintStream out = System.out;

    public void validate() {
        selection.validate();
    }

    @Override
    public Integer call() throws Exception {
        validate();
        try (ObjectStore s = selection.store().openArchive(selection.topicPrefix(), false)) {
            ArchiveCatalog catalog = selection.catalog(s);
            List<TableId> list = selection.tables(catalog);
            String[] first = new String[1];
            int problems = new ArchiveVerifier(catalog, selection.topicPrefix(), p -> {
                if (first[0] == null) {
                    first[0] = p;
                }
                out.println("PROBLEM " + p);
            }, n -> out.println("NOTE " + n)).verify(list);
            if (problems > 0) {
                out.flush();
                throw new PgkbException.ArchiveIncompleteException("verify found " + problems + " problem(s) in " + s.describe("")
                        + "; first: " + first[0]);
            }
            out.println("archive sound: " + list.size() + " table(s) verified in " + s.describe(""));
        }
        return 0;
    }
}
