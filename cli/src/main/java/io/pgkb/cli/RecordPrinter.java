package io.pgkb.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.ChangeRecordJson;
import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.SchemaResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
                if (decoder.isDdl(r.value())) {
                    n.set("value", ddlJson(decoder.decodeDdl(r.value())));
                    return n.toString();
                }
                ChangeRecord value = decoder.decode(r.value());
                n.putRawValue("value", new RawValue(ChangeRecordJson.toJson(value)));
            } catch (RuntimeException e) {
                n.put("value_hex", HexFormat.of().formatHex(r.value()));
                n.put("value_error", String.valueOf(e.getMessage()));
            }
        }
        return n.toString();
    }

    /** A DDL record: op DDL, where it is in the stream, what the command was and the columns after it. */
    private static ObjectNode ddlJson(DdlEvent e) {
        ObjectNode v = JSON.createObjectNode();
        v.put("op", "DDL");
        v.put("table", e.table());
        v.put("command_tag", e.commandTag());
        v.put("rewrite", e.rewrite());
        v.put("dropped", e.dropped());
        v.put("lsn", Lsn.of(e.lsn()).toString());
        v.put("commit_lsn", Lsn.of(e.commitLsn()).toString());
        v.put("xid", e.xid());
        v.put("commit_time", Instant.EPOCH.plus(e.commitTimeMicros(), ChronoUnit.MICROS).toString());
        v.put("seq", e.seq());
        v.put("table_oid", e.tableOid());
        var cols = v.putArray("columns");
        for (DdlEvent.Column c : e.columns()) {
            ObjectNode col = cols.addObject();
            col.put("attnum", c.attnum());
            col.put("name", c.name());
            col.put("type", c.type());
            if (c.missing() != null) {
                col.put("missing", c.missing());
            }
        }
        try {
            v.set("definition", e.definition() == null ? null : JSON.readTree(e.definition()));
        } catch (IOException x) {
            v.put("definition", e.definition());
        }
        v.put("query", e.query());
        return v;
    }

    @Override
    public void close() throws Exception {
        if (resources != null) {
            resources.close();
        }
    }
}
