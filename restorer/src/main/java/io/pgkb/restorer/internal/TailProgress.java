package io.pgkb.restorer.internal;

import io.pgkb.schemas.SchemaResolver;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.ArchiveSchemas;
import io.pgkb.store.catalog.ProgressIndex;
import io.pgkb.store.catalog.ProgressReader;
import io.pgkb.store.catalog.ProgressRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The progress records a restore may rely on: the archived ones, then (with a Kafka tail) those still in the
 * topic after them. {@code notes} say why Kafka's could not extend the archive's, for refusals to name.
 */
public record TailProgress(ProgressIndex archived, ProgressIndex all, List<String> notes) {

    public static TailProgress load(ArchiveCatalog catalog, KafkaTail tail) {
        List<ProgressRecord> archived = ProgressReader.read(catalog);
        List<String> notes = new ArrayList<>();
        if (tail == null) {
            ProgressIndex only = new ProgressIndex(archived);
            return new TailProgress(only, only, List.of());
        }
        List<ProgressRecord> all = new ArrayList<>(archived);
        all.addAll(tail.progressAfter(ProgressReader.archivedEnd(catalog), notes));
        return new TailProgress(new ProgressIndex(archived), new ProgressIndex(all), List.copyOf(notes));
    }

    /** Writer schemas from the archive, then from {@code _schemas} in Kafka for what the archiver has not stored yet. */
    public static SchemaResolver schemas(ArchiveSchemas archive, KafkaTail tail) {
        if (tail == null) {
            return archive;
        }
        return new SchemaResolver() {
            @Override
            public org.apache.avro.Schema findByFingerprint(long fp) {
                var s = archive.findByFingerprint(fp);
                return s != null ? s : tail.schemas().findByFingerprint(fp);
            }

            @Override
            public org.apache.avro.Schema findByRegistryId(int id) {
                var s = archive.findByRegistryId(id);
                return s != null ? s : tail.schemas().findByRegistryId(id);
            }
        };
    }
}
