package io.pgkb.restorer;

import io.pgkb.restorer.internal.ArchiveVerifier;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ui.JsonReport;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgkb verify}: checksums and continuity of the archive; exit 3 naming each problem, 0 when sound. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Read every object of the archive (or of --tables): checksums, gaps between segments, overlapping objects "
                + "that disagree, dumps. Prints one line per problem; exit 3 when there is any.")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ArchiveSelection selection = new ArchiveSelection();

    @Option(names = "--json", description = "One JSON document on stdout: the tables verified, the problems and notes, the exit code")
    boolean json;

    PrintStream out = System.out;
    PrintStream err = System.err;

    public void validate() {
        selection.validate();
    }

    @Override
    public Integer call() throws Exception {
        validate();
        long begin = System.nanoTime();
        try (ObjectStore s = selection.store().openArchive(selection.topicPrefix(), false)) {
            ArchiveCatalog catalog = selection.catalog(s);
            List<TableId> list = selection.tables(catalog);
            List<String> problems = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            new ArchiveVerifier(catalog, selection.topicPrefix(), p -> {
                problems.add(p);
                if (!json) {
                    out.println("PROBLEM " + p);
                }
            }, n -> {
                notes.add(n);
                if (!json) {
                    out.println("NOTE " + n);
                }
            }).verify(list);
            String verdict = problems.isEmpty() ? null : "verify found " + problems.size() + " problem(s) in " + s.describe("")
                    + "; first: " + problems.get(0);
            if (json) {
                int code = problems.isEmpty() ? 0 : PgkbException.INCOMPLETE;
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("store", s.describe(""));
                doc.put("sound", problems.isEmpty());
                doc.put("tables", list.stream().map(TableId::toString).toList());
                doc.put("problems", problems);
                doc.put("notes", notes);
                doc.put("duration_ms", (System.nanoTime() - begin) / 1_000_000);
                out.println(JsonReport.of("verify", code, doc));
                if (verdict != null) {
                    err.println("pgkb verify: " + verdict); // the line an alert shows; the document is already complete
                }
                return code;
            }
            if (verdict != null) {
                out.flush();
                throw new PgkbException.ArchiveIncompleteException(verdict);
            }
            out.println("archive sound: " + list.size() + " table(s) verified in " + s.describe(""));
        }
        return 0;
    }
}
