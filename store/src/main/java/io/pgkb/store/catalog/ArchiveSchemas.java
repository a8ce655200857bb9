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

/**
 * Writer schemas kept in the archive ({@code schemas/<fingerprint>.avsc}), read once each; in registry mode also the
 * fingerprint of each schema registry id ({@code schemas/registry/<id>.fingerprint}).
 */
public final class ArchiveSchemas implements SchemaResolver {
    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final Map<Long, Schema> cache = new ConcurrentHashMap<>();
    private final Map<Integer, Long> registryIds = new ConcurrentHashMap<>();

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

    /** Registry mode: the schema of a registry id ({@code schemas/registry/<id>.fingerprint}); null when not archived. */
    @Override
    public Schema findByRegistryId(int id) {
        Long fp = registryIds.get(id);
        if (fp == null) {
            String key = layout.registryId(id);
            try {
                String hex = new String(store.get(key), StandardCharsets.UTF_8).strip();
                fp = Long.parseUnsignedLong(hex, 16);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new PgkbException.FatalException("cannot read " + store.describe(key) + ": " + e.getMessage(), e);
            } catch (NumberFormatException e) {
                throw new PgkbException.ArchiveIncompleteException("schema registry id object is corrupt: "
                        + store.describe(key) + ": " + e.getMessage());
            }
            registryIds.put(id, fp);
        }
        return findByFingerprint(fp);
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
