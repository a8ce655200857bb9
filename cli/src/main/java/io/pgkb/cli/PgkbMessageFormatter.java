package io.pgkb.cli;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SharedSchemaResolvers;
import io.pgkb.schemas.TableId;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;

/**
 * Prints pgkb change records in Kafka's own console consumer, one JSON line each, exactly as {@code pgkb inspect}
 * does:
 *
 * <pre>
 * CLASSPATH=cli/target/pgkb.jar kafka-console-consumer.sh --bootstrap-server localhost:9092 \
 *     --topic pgkb.public.accounts --from-beginning \
 *     --formatter io.pgkb.cli.PgkbMessageFormatter \
 *     --formatter-property pgkb.bootstrap.servers=localhost:9092
 * </pre>
 *
 * Properties: {@code pgkb.bootstrap.servers} (required: where {@code <prefix>._schemas} is read; the console
 * consumer does not hand its own to formatters), {@code pgkb.topic.prefix} (default: taken from the topic name,
 * whose last two dot-separated parts are the escaped schema and table), {@code pgkb.kafka.*} (client settings for
 * reading the schemas, e.g. {@code pgkb.kafka.security.protocol=SASL_SSL}), {@code print.headers} (default true).
 */
public final class PgkbMessageFormatter implements MessageFormatter {
    private final Map<String, Object> clientConfig = new HashMap<>();
    private String topicPrefix;
    private boolean printHeaders = true;
    private RecordPrinter printer;

    @Override
    public void configure(Map<String, ?> configs) {
        try {
            clientConfig.putAll(SharedSchemaResolvers.clientConfig(configs));
        } catch (PgkbException.ConfigException e) {
            throw new IllegalArgumentException("PgkbMessageFormatter needs --formatter-property pgkb.bootstrap.servers=HOST:PORT"
                    + " (the brokers holding <prefix>._schemas)");
        }
        topicPrefix = SharedSchemaResolvers.topicPrefix(configs);
        Object headers = configs.get("print.headers");
        printHeaders = headers == null || Boolean.parseBoolean(headers.toString());
    }

    @Override
    public void writeTo(ConsumerRecord<byte[], byte[]> record, PrintStream output) {
        if (printer == null) {
            String prefix = topicPrefix != null ? topicPrefix : TableId.prefixOfTopic(record.topic()).orElseThrow(() -> new IllegalArgumentException(
                    "topic " + record.topic() + " is not a pgkb table topic <prefix>.<schema>.<table>; set pgkb.topic.prefix"));
            printer = RecordPrinter.forKafka(clientConfig, prefix);
        }
        ConsumerRecord<byte[], byte[]> r = record;
        if (!printHeaders) {
            r = new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(), record.timestampType(),
                    record.serializedKeySize(), record.serializedValueSize(), record.key(), record.value(),
                    new org.apache.kafka.common.header.internals.RecordHeaders(), record.leaderEpoch());
        }
        byte[] line = (printer.toJson(r) + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
        output.write(line, 0, line.length);
    }

    @Override
    public void close() {
        if (printer != null) {
            try {
                printer.close();
            } catch (Exception e) {
                // closing a read-only schema consumer: nothing to save
            }
            printer = null;
        }
    }
}
