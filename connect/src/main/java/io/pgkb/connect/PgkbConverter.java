package io.pgkb.connect;

import io.pgkb.connect.internal.ConnectMapping;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SharedSchemaResolvers;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * Kafka Connect converter for pgkb's table topics: keys and values in Avro single-object encoding, with their
 * writer schemas read from {@code <prefix>._schemas}, so sink connectors consume pgkb without a schema registry.
 *
 * <pre>
 * value.converter=io.pgkb.connect.PgkbConverter
 * value.converter.pgkb.bootstrap.servers=kafka:9092
 * key.converter=io.pgkb.connect.PgkbConverter
 * key.converter.pgkb.bootstrap.servers=kafka:9092
 * </pre>
 *
 * A value becomes a Struct with the change envelope's fields: {@code op} (string), {@code before} and
 * {@code after} (row Structs, fields named by exact column names, typed as {@link ConnectMapping} says),
 * {@code unchanged} (names of columns whose value the server did not send) and {@code source} (lsn, commit_lsn,
 * xid, commit_time, seq, table). A key becomes a Struct of the key columns; a null key (TRUNCATE, a table
 * without primary key) stays null. Any other record of the prefix written with a schema of {@code _schemas}
 * becomes a Struct of its own schema. Read-only: {@link #fromConnectData} refuses.
 *
 * <p>Settings (prefixed {@code key.converter.} / {@code value.converter.} in a connector or worker config):
 * {@code pgkb.bootstrap.servers} (required: the brokers holding {@code _schemas}), {@code pgkb.topic.prefix}
 * (default: from each topic's name, all before its last two dots), {@code pgkb.kafka.*} (client settings of the
 * consumer that reads {@code _schemas}, e.g. {@code pgkb.kafka.security.protocol=SSL}).
 */
public final class PgkbConverter implements Converter {
    private static final ConfigDef CONFIG = new ConfigDef()
            .define(SharedSchemaResolvers.BOOTSTRAP_SERVERS, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    ConfigDef.Importance.HIGH, "Kafka brokers holding <prefix>._schemas")
            .define(SharedSchemaResolvers.TOPIC_PREFIX, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                    "pgkb topic prefix; default: from each topic's name, all before its last two dots");
    // one entry per writer schema in use: a handful per table
    private static final Map<org.apache.avro.Schema, ConnectMapping> MAPPINGS = new ConcurrentHashMap<>();

    private final Map<String, SharedSchemaResolvers.Lease> leases = new HashMap<>();
    private final SchemaResolver fixedResolver;
    private Map<String, Object> clientConfig;
    private String topicPrefix;
    private boolean isKey;

    /** As Kafka Connect makes it: {@link #configure} says where {@code _schemas} is. */
    public PgkbConverter() {
        this.fixedResolver = null;
    }

    /** With schemas from this resolver; {@link #configure} then only says key or value. */
    public PgkbConverter(SchemaResolver resolver) {
        this.fixedResolver = resolver;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (fixedResolver != null) {
            return;
        }
        try {
            this.clientConfig = SharedSchemaResolvers.clientConfig(configs);
        } catch (PgkbException.ConfigException e) {
            throw new org.apache.kafka.common.config.ConfigException(
                    "PgkbConverter needs " + part() + ".converter." + SharedSchemaResolvers.BOOTSTRAP_SERVERS
                            + "=HOST:PORT (the brokers holding <prefix>._schemas)");
        }
        this.topicPrefix = SharedSchemaResolvers.topicPrefix(configs);
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] bytes) {
        if (bytes == null) {
            return SchemaAndValue.NULL;
        }
        GenericRecord record;
        try {
            record = SingleObjectCodec.decode(bytes, resolver(topic));
        } catch (PgkbException e) {
            throw new DataException("topic " + topic + ": cannot read a pgkb " + part() + ": " + e.getMessage(), e);
        }
        ConnectMapping mapping = MAPPINGS.computeIfAbsent(record.getSchema(), ConnectMapping::of);
        return new SchemaAndValue(mapping.schema(), mapping.value(record));
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        throw new DataException("PgkbConverter only reads pgkb's table topics; it cannot write the " + part()
                + " of a record to topic " + topic + ": configure another " + part() + ".converter for this connector");
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public String version() {
        return versionOfPgkb();
    }

    /** From {@code pgkb.jar}'s manifest. */
    static String versionOfPgkb() {
        String v = PgkbConverter.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    private SchemaResolver resolver(String topic) {
        if (fixedResolver != null) {
            return fixedResolver;
        }
        if (clientConfig == null) {
            throw new IllegalStateException("PgkbConverter used before configure()");
        }
        String prefix = topicPrefix != null ? topicPrefix : TableId.prefixOfTopic(topic).orElseThrow(() -> new DataException(
                "topic " + topic + " is not a pgkb table topic <prefix>.<schema>.<table>; set "
                        + part() + ".converter." + SharedSchemaResolvers.TOPIC_PREFIX));
        synchronized (leases) {
            return leases.computeIfAbsent(prefix, (Function<String, SharedSchemaResolvers.Lease>)
                    p -> SharedSchemaResolvers.acquire(clientConfig, p)).resolver();
        }
    }

    private String part() {
        return isKey ? "key" : "value";
    }

    @Override
    public void close() {
        synchronized (leases) {
            leases.values().forEach(SharedSchemaResolvers.Lease::close);
            leases.clear();
        }
    }
}
