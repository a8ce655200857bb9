package io.pgkb.restorer;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.TopicPrefixOption;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.StoreOptions;
import io.pgkb.store.catalog.ArchiveCatalog;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options {@code list} and {@code verify} share: which archive, which namespace, which tables. */
public final class ArchiveSelection {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--tables", paramLabel = "LIST", description = "Only these tables: schema.table,… (default: every table in the archive)")
    String tables;

    @Mixin
    TopicPrefixOption topicPrefix = new TopicPrefixOption();

    public void validate() {
        store.validate();
        topicPrefix.value();
        if (tables != null) {
            try {
                TableId.parseList(tables);
            } catch (IllegalArgumentException e) {
                throw new PgkbException.ConfigException("--tables: " + e.getMessage());
            }
        }
    }

    public String topicPrefix() {
        return topicPrefix.value();
    }

    StoreOptions store() {
        return store;
    }

    ArchiveCatalog catalog(ObjectStore s) {
        return new ArchiveCatalog(s, new ArchiveLayout(topicPrefix()));
    }

    /** --tables when given, else every table the archive holds. */
    List<TableId> tables(ArchiveCatalog catalog) throws IOException {
        if (tables == null) {
            return catalog.tables();
        }
        List<TableId> named = TableId.parseList(tables);
        named.forEach(catalog::requireKnown);
        return named;
    }
}
