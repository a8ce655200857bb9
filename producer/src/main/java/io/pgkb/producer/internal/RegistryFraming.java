package io.pgkb.producer.internal;

import io.pgkb.schemas.ConfluentFraming;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SingleObjectCodec;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Registry mode (DESIGN §14): a writer schema is registered under its subject in the schema registry, and, before
 * that id is used, both the schema (under its fingerprint) and the id's fingerprint ({@code registry-<id>}) are in
 * {@code _schemas}, acknowledged, so the archive stays self-describing and a restore never needs the registry. Ids
 * are cached per subject and schema: the registry is asked once per relation version, never per record.
 */
public final class RegistryFraming implements SchemaFraming {
    private final RegistryClient registry;
    private final SchemaRegistrar registrar;
    private final Map<String, Map<Long, byte[]>> headers = new HashMap<>();

    public RegistryFraming(RegistryClient registry, SchemaRegistrar registrar) {
        this.registry = registry;
        this.registrar = registrar;
    }

    @Override
    public byte[] header(String subject, Schema schema) {
        long fp = SingleObjectCodec.fingerprint64(schema);
        Map<Long, byte[]> bySchema = headers.computeIfAbsent(subject, s -> new HashMap<>());
        byte[] header = bySchema.get(fp);
        if (header == null) {
            registrar.ensureRegistered(schema);
            int id = registry.register(subject, schema);
            registrar.ensureRegistryId(id, fp);
            header = ConfluentFraming.header(id);
            bySchema.put(fp, header);
        }
        return header;
    }
}
