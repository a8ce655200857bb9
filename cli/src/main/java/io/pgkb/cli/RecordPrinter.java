package io.pgkb.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.ChangeRecordJson;
import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.SchemaResolver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One change record as one JSON line: {@code topic}, {@code partition}, {@code offset}, {@code timestamp}
 * (ISO-8601), {@code headers} (UTF-8 strings), {@code key} (the key columns, null for TRUNCATE and tables without
 * a primary key) and {@code value} (the change: op, table, LSNs, xid, commit time, seq, before, after, unchanged).
 * A record that does not decode is still printed, with its bytes in hex and the reason, because this is a tool
 * for looking at what is really in the topic. Shared by {@code pgkb inspect} and {@link PgkbMessageFormatter}.
 */
final class RecordPrinter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChangeRecordDecoder decoder;
    private final AutoCloseable resources;

    RecordPrinter(SchemaResolver resolver) {
        this.decoder = new ChangeRecordDecoder(resolver);
        this.resources = resolver instanceof AutoCloseable c ? c : null;
    }

    /** Decodes with the schemas of {@code <prefix>._schemas}, read with these Kafka client settings. */
    static RecordPrinter forKafka(Map<String, Object> clientConfig, String topicPrefix) {
        return new RecordPrinter(new KafkaSchemaResolver(clientConfig, topicPrefix));
    }

    String toJson(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("topic", r.topic());
        n.put("partition", r.partition());
        n.put("offset", r.offset());
        n.put("timestamp", r.timestamp() >= 0 ? Instant.ofEpochMilli(r.timestamp()).toString() : null);
        ObjectNode headers = n.putObject("headers");
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        if (r.key() == null) {
            n.putNull("key");
        } else {
            try {
                GenericRecord key = decoder.decodeRecord(r.key());
                n.putRawValue("key", new RawValue(ChangeRecordJson.rowJson(key)));
            } catch (RuntimeException e) {
                n.put("key_hex", HexFormat.of().formatHex(r.key()));
                n.put("key_error", String.valueOf(e.getMessage()));
            }
        }
        if (r.value() == null) {
            n.putNull("value");
        } else {
            try {
                ChangeRecord value = decoder.decode(r.value());
                n.putRawValue("value", new RawValue(ChangeRecordJson.toJson(value)));
            } catch (RuntimeException e) {
                n.put("value_hex", HexFormat.of().formatHex(r.value()));
                n.put("value_error", String.valueOf(e.getMessage()));
            }
        }
        return n.toString();
    }

    @Override
    public void close() throws Exception {
        if (resources != null) {
            resources.close();
        }
    }
}
