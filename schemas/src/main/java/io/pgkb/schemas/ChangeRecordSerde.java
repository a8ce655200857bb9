package io.pgkb.schemas;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serde} of pgkb change records (values of table topics), for consumers and Kafka Streams apps.
 *
 * <p>Either give a resolver to the constructor, or configure with {@code pgkb.bootstrap.servers} and
 * {@code pgkb.topic.prefix} (default {@code pgkb}); settings prefixed {@code pgkb.kafka.} (e.g.
 * {@code pgkb.kafka.security.protocol}) are passed to the consumer that reads {@code <prefix>._schemas}.
 * Serialising writes the record with its own writer schema, which is already in {@code _schemas}.
 *
 * <p>DDL records of a table topic (header {@code pgkb.op=DDL}, value {@link DdlEvent}) deserialise to null, so a
 * stream of row changes skips them with {@code filter((k, v) -> v != null)}; read them with {@link DdlEvent#decode}.
 */
public final class ChangeRecordSerde implements Serde<ChangeRecord> {
    public static final String BOOTSTRAP_SERVERS = SharedSchemaResolvers.BOOTSTRAP_SERVERS;
    public static final String TOPIC_PREFIX = SharedSchemaResolvers.TOPIC_PREFIX;
    public static final String KAFKA_PREFIX = SharedSchemaResolvers.KAFKA_PREFIX;

    private SchemaResolver resolver;
    // Kafka Streams makes one serde per task and store: they share one resolver (one consumer) per cluster and prefix
    private SharedSchemaResolvers.Lease lease;
    private ChangeRecordDecoder decoder;

    /** Configure before use with {@link #configure}. */
    public ChangeRecordSerde() {
    }

    public ChangeRecordSerde(SchemaResolver resolver) {
        this.resolver = resolver;
        this.decoder = new ChangeRecordDecoder(resolver);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (resolver != null) {
            return;
        }
        Map<String, Object> client = SharedSchemaResolvers.clientConfig(configs);
        String prefix = SharedSchemaResolvers.topicPrefix(configs);
        lease = SharedSchemaResolvers.acquire(client, prefix == null ? "pgkb" : prefix);
        resolver = lease.resolver();
        decoder = new ChangeRecordDecoder(resolver);
    }

    SchemaResolver resolver() {
        return resolver;
    }

    @Override
    public Serializer<ChangeRecord> serializer() {
        return (topic, record) -> record == null ? null
                : SingleObjectCodec.encode(record.writerSchema(), record.envelope());
    }

    @Override
    public Deserializer<ChangeRecord> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (decoder == null) {
                throw new IllegalStateException("ChangeRecordSerde used before configure()");
            }
            try {
                if (decoder.isDdl(data)) {
                    return null; // a DDL record changes no row: skipped like a tombstone, filter with v != null
                }
                return decoder.decode(data);
            } catch (CodecException e) {
                throw new CodecException("topic " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    @Override
    public void close() {
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
