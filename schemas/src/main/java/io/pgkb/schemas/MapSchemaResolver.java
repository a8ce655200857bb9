package io.pgkb.schemas;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/** A resolver over schemas held in memory (tests, schemas read from the archive). Thread-safe. */
public final class MapSchemaResolver implements SchemaResolver {
    private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> registryIds = new ConcurrentHashMap<>();

    public MapSchemaResolver(Schema... initial) {
        for (Schema s : initial) {
            add(s);
        }
    }

    /** Adds a schema under its fingerprint; returns the fingerprint as 16 hex digits. */
    public String add(Schema schema) {
        long fp = SingleObjectCodec.fingerprint64(schema);
        schemas.put(fp, schema);
        return SingleObjectCodec.hex(fp);
    }

    /** Registry mode: adds the schema and records that a schema registry gave it this id. */
    public MapSchemaResolver addRegistryId(int id, Schema schema) {
        add(schema);
        registryIds.put(id, schema);
        return this;
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return schemas.get(fingerprint);
    }

    @Override
    public Schema findByRegistryId(int id) {
        return registryIds.get(id);
    }

    public int size() {
        return schemas.size();
    }
}
