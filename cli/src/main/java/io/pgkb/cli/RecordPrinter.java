package io.pgkb.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** One change record as one JSON line. Shared by {@code pgkb inspect} and {@link PgkbMessageFormatter}. */
final class RecordPrinter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintWriter out;

    RecordPrinter(String bootstrapServers, String topicPrefix, Properties clientProperties, PrintWriter out) {
        this.out = out;
    }

    void print(ConsumerRecord<byte[], byte[]> r) {
        out.println(toJson(r));
    }

    String toJson(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("topic", r.topic());
        n.put("partition", r.partition());
        n.put("offset", r.offset());
        n.put("timestamp", r.timestamp());
        ObjectNode headers = n.putObject("headers");
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        n.put("key", r.key() == null ? null : HexFormat.of().formatHex(r.key()));
        n.put("value", r.value() == null ? null : HexFormat.of().formatHex(r.value()));
        return n.toString();
    }

    @Override
    public void close() {
        out.flush();
    }
}
