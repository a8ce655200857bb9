package io.pgkb.restorer;

import io.pgkb.restorer.internal.ArchiveVerifier;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.StoreOptions;
import io.pgkb.store.catalog.ArchiveCatalog;
import java.io.PrintStream;
import java.util.List;
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
    StoreOptions store = new StoreOptions();

    @Option(names = "--tables", paramLabel = "LIST", description = "Only these tables: schema.table,… (default: every table in the archive)")
    String tables;

    @Option(names = "--topic-prefix", defaultValue = "pgkb", paramLabel = "PREFIX",
            description = "Topic prefix, also the archive namespace (default: ${DEFAULT-VALUE})")
    String topicPrefix = "pgkb";

    PrintStream out = System.out;

    public void validate() {
        store.validate();
        if (topicPrefix == null || topicPrefix.isBlank()) {
            throw new PgkbException.ConfigException("--topic-prefix: must not be empty");
        }
        if (tables != null) {
            try {
                TableId.parseList(tables);
            } catch (IllegalArgumentException e) {
                throw new PgkbException.ConfigException("--tables: " + e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        try (ObjectStore s = store.open()) {
            ArchiveCatalog catalog = new ArchiveCatalog(s, new ArchiveLayout(topicPrefix));
            List<TableId> list = tables == null ? catalog.tables() : TableId.parseList(tables);
            String[] first = new String[1];
            int problems = new ArchiveVerifier(catalog, topicPrefix, p -> {
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
