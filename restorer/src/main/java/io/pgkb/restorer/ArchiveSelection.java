package io.pgkb.restorer;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.store.StoreOptions;
import io.pgkb.store.catalog.ArchiveCatalog;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options {@code list} and {@code verify} share: which archive, which namespace, which tables. */
public final class ArchiveSelection {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--tables", paramLabel = "LIST", description = "Only these tables: schema.table,… (default: every table in the archive)")
    String tables;

    @Option(names = "--topic-prefix", defaultValue = "pgkb", paramLabel = "PREFIX",
            description = "Topic prefix, also the archive namespace (default: ${DEFAULT-VALUE})")
    String topicPrefix = "pgkb";

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

    public String topicPrefix() {
        return topicPrefix;
    }

    StoreOptions store() {
        return store;
    }

    ArchiveCatalog catalog(io.pgkb.store.ObjectStore s) {
        return new ArchiveCatalog(s, new ArchiveLayout(topicPrefix));
    }

    /** --tables when given, else every table the archive holds. */
    List<TableId> tables(ArchiveCatalog catalog) throws java.io.IOException {
        if (tables == null) {
            return catalog.tables();
        }
        List<TableId> named = TableId.parseList(tables);
        named.forEach(catalog::requireKnown);
        return named;
    }
}
