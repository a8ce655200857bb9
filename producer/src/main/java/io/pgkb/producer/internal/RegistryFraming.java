package io.pgkb.producer.internal;

import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.ConfluentFraming;
import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SingleObjectCodec;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry mode (DESIGN §14): a writer schema is registered under its subject in the schema registry, and, before
 * that id is used, both the schema (under its fingerprint) and the id's fingerprint ({@code registry-<id>}) are in
 * {@code _schemas}, acknowledged, so the archive stays self-describing and a restore never needs the registry. Ids
 * are cached per subject and schema: the registry is asked once per relation version, never per record. The
 * prefix stays with the registry its ids come from ({@link RegistryIdentity}).
 */
public final class RegistryFraming implements SchemaFraming {
    private static final Logger log = LoggerFactory.getLogger(RegistryFraming.class);

    private final RegistryClient registry;
    private final SchemaRegistrar registrar;
    private final RegistryIdentity identity;
    private final Map<String, Map<Long, byte[]>> headers = new HashMap<>();

    RegistryFraming(RegistryClient registry, SchemaRegistrar registrar, RegistryIdentity identity) {
        this.registry = registry;
        this.registrar = registrar;
        this.identity = identity;
    }

    /**
     * Before the producer writes anything: reaches the registry (waiting while it is unreachable; refused
     * credentials or certificate: exit 2), checks that it is the prefix's registry and records its URL.
     *
     * @throws io.pgkb.schemas.PgkbException.ConfigException (exit 2) when it is not
     */
    public static RegistryFraming start(SchemaRegistrySettings settings, Map<String, Object> clientConfig, String prefix,
                                        SchemaRegistrar registrar, BooleanSupplier stopping) {
        RegistryClient registry = new RegistryClient(settings, stopping);
        String rule = registry.defaultCompatibility();
        if (!"NONE".equals(rule)) {
            log.warn("schema registry {} has the default compatibility rule {}: after an ALTER TABLE it refuses the"
                    + " table's new schema and the producer stops (exit 2); set the prefix's subjects or the registry"
                    + " default to NONE (DESIGN §14)", settings, rule);
        }
        RegistryIdentity identity;
        try (KafkaSchemaResolver schemas = new KafkaSchemaResolver(clientConfig, prefix)) {
            identity = new RegistryIdentity(prefix, settings, schemas.registryIds(), schemas.registry());
        }
        if (identity.verify(registry)) {
            registrar.writeRegistry(settings.url().toString());
        }
        return new RegistryFraming(registry, registrar, identity);
    }

    @Override
    public byte[] header(String subject, Schema schema) {
        long fp = SingleObjectCodec.fingerprint64(schema);
        Map<Long, byte[]> bySchema = headers.computeIfAbsent(subject, s -> new HashMap<>());
        byte[] header = bySchema.get(fp);
        if (header == null) {
            registrar.ensureRegistered(schema);
            int id = registry.register(subject, schema);
            identity.accept(id, fp);
            registrar.ensureRegistryId(id, fp);
            header = ConfluentFraming.header(id);
            bySchema.put(fp, header);
        }
        return header;
    }
}
