package io.pgkb.archiver.internal;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Puts the writer schemas a segment's records name into the archive before the segment itself. The {@code _schemas}
 * partition is archived on its own schedule, possibly by another archiver of the group, so without this a restore
 * could meet a segment whose records' schema the archive does not hold yet and refuse a point it was told is
 * restorable. Each schema is looked up in the store once per process; upload threads share what they learnt.
 */
public final class SegmentSchemas {
    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final SchemaResolver resolver;
    /** Archive keys known to exist, written by this process or found there. */
    private final Set<String> present = ConcurrentHashMap.newKeySet();

    public SegmentSchemas(ObjectStore store, ArchiveLayout layout, SchemaResolver resolver) {
        this.store = store;
        this.layout = layout;
        this.resolver = resolver;
    }

    /** Makes sure every schema the writer's records name is in the archive; returns the bytes written. */
    public long ensure(SegmentWriter w) throws IOException {
        long bytes = 0;
        for (int id : w.schemaRegistryIds()) {
            Schema s = resolver.findByRegistryId(id);
            if (s != null) {
                long fp = SingleObjectCodec.fingerprint64(s);
                bytes += put(layout.registryId(id), SingleObjectCodec.hex(fp).getBytes(StandardCharsets.UTF_8));
                bytes += ensure(fp, s);
            }
        }
        for (long fp : w.schemaFingerprints()) {
            Schema s = resolver.findByFingerprint(fp);
            if (s != null) { // a built-in schema _schemas never held (none today); the restorer names it if it is missing
                bytes += ensure(fp, s);
            }
        }
        return bytes;
    }

    private long ensure(long fp, Schema s) throws IOException {
        return put(layout.schema(SingleObjectCodec.hex(fp)), s.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Puts a schema (or registry id) object unless the archive holds it already; returns the bytes written. Also the
     * {@code _schemas} partition's own upload goes through here, so both know what is there.
     */
    public long put(String key, byte[] content) throws IOException {
        if (present.contains(key)) {
            return 0;
        }
        long written = 0;
        if (!store.exists(key)) { // a fingerprint names one schema for good (an id, in one registry)
            store.put(key, content);
            written = content.length;
        }
        present.add(key);
        return written;
    }
}
