package io.pgkb.schemas;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints pgkb table topics readably with Kafka's own console consumer, one JSON line per record:
 * <pre>
 * kafka-console-consumer.sh --bootstrap-server HOST:9092 --topic pgkb.public.orders --from-beginning \
 *   --formatter io.pgkb.schemas.ChangeRecordFormatter --formatter-property pgkb.bootstrap.servers=HOST:9092
 * </pre>
 * {@code pgkb.topic.prefix} is optional: escaped names never contain a dot, so the prefix is the topic name
 * before its last two dots. A record that does not decode prints one {@code ERROR} line naming where and goes on.
 */
public final class ChangeRecordFormatter implements MessageFormatter {
    private final Map<String, ChangeRecordDecoder> decoders = new HashMap<>();
    private final Map<String, KafkaSchemaResolver> owned = new HashMap<>();
    private ChangeRecordDecoder fixed;
    private Map<String, Object> client = new HashMap<>();
    private String prefix;

    public ChangeRecordFormatter() {
    }

    /** With a known resolver (tests, archive tools). */
    public ChangeRecordFormatter(SchemaResolver resolver) {
        this.fixed = new ChangeRecordDecoder(resolver);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object servers = configs.get(ChangeRecordSerde.BOOTSTRAP_SERVERS);
        configs.forEach((k, v) -> {
            if (k.startsWith(ChangeRecordSerde.KAFKA_PREFIX)) {
                client.put(k.substring(ChangeRecordSerde.KAFKA_PREFIX.length()), v);
            }
        });
        if (servers != null) {
            client.put("bootstrap.servers", servers.toString());
        }
        Object p = configs.get(ChangeRecordSerde.TOPIC_PREFIX);
        prefix = p == null ? null : p.toString();
    }

    @Override
    public void writeTo(ConsumerRecord<byte[], byte[]> record, PrintStream out) {
        try {
            ChangeRecordDecoder decoder = decoderFor(record.topic());
            if (record.value() == null) {
                out.println("null");
                return;
            }
            GenericRecord key = record.key() == null ? null : decoder.decodeRecord(record.key());
            out.println(ChangeRecordJson.toJson(key, decoder.decode(record.value())));
        } catch (RuntimeException e) {
            out.println("ERROR " + record.topic() + "/" + record.partition() + "@" + record.offset() + ": " + e.getMessage());
        }
    }

    private ChangeRecordDecoder decoderFor(String topic) {
        if (fixed != null) {
            return fixed;
        }
        String p = prefix != null ? prefix : prefixOf(topic);
        return decoders.computeIfAbsent(p, k -> {
            if (!client.containsKey("bootstrap.servers")) {
                throw new PgkbException.ConfigException("set --formatter-property " + ChangeRecordSerde.BOOTSTRAP_SERVERS
                        + "=HOST:PORT to read the _schemas topic");
            }
            KafkaSchemaResolver r = new KafkaSchemaResolver(client, k);
            owned.put(k, r);
            return new ChangeRecordDecoder(r);
        });
    }

    /** {@code <prefix>.<schema>.<table>} with escaped (dot-free) names: everything before the last two dots. */
    static String prefixOf(String topic) {
        int last = topic.lastIndexOf('.');
        int second = last <= 0 ? -1 : topic.lastIndexOf('.', last - 1);
        if (second <= 0) {
            throw new PgkbException.ConfigException("topic " + topic + " is not a pgkb table topic <prefix>.<schema>.<table>");
        }
        return topic.substring(0, second);
    }

    @Override
    public void close() {
        owned.values().forEach(KafkaSchemaResolver::close);
    }
}
