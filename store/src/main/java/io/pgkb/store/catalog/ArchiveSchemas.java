package io.pgkb.store.catalog;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/** Writer schemas kept in the archive ({@code schemas/<fingerprint>.avsc}), read once each. */
public final class ArchiveSchemas implements SchemaResolver {
    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final Map<Long, Schema> cache = new ConcurrentHashMap<>();

    public ArchiveSchemas(ObjectStore store, ArchiveLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    /** The schema with this CRC-64-AVRO fingerprint; exit 3 naming the key when the archive lacks it. */
    public Schema schema(long fingerprint) {
        return cache.computeIfAbsent(fingerprint, this::load);
    }

    /** {@link SchemaResolver}: null when the archive does not hold the schema. */
    @Override
    public Schema findByFingerprint(long fingerprint) {
        try {
            return schema(fingerprint);
        } catch (PgkbException.ArchiveIncompleteException e) {
            if (e.getMessage().contains("is missing")) {
                return null;
            }
            throw e;
        }
    }

    public String keyOf(long fingerprint) {
        return store.describe(layout.schema(hex(fingerprint)));
    }

    public static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    private Schema load(long fingerprint) {
        String key = layout.schema(hex(fingerprint));
        try {
            String json = new String(store.get(key), StandardCharsets.UTF_8);
            return new Schema.Parser().parse(json);
        } catch (NoSuchFileException e) {
            throw new PgkbException.ArchiveIncompleteException("writer schema " + hex(fingerprint)
                    + " is missing from the archive: " + store.describe(key));
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot read " + store.describe(key) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new PgkbException.ArchiveIncompleteException("writer schema object is corrupt: "
                    + store.describe(key) + ": " + e.getMessage());
        }
    }
}
