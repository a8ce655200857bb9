package io.pgkb.producer.internal;

import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the assembled stream: each change is encoded and handed to Kafka as it arrives, and the ack tracker
 * counts it until Kafka acknowledges it. A TRUNCATE goes to every partition of its table's topic.
 */
public final class KafkaChangeWriter implements ChangeSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaChangeWriter.class);

    private final Producer<byte[], byte[]> producer;
    private final AckTracker tracker;
    private final RecordEncoder encoder;
    private final TopicManager topics;
    private final String prefix;
    private final long maxMessageBytes;
    private AckTracker.Pending current;

    public KafkaChangeWriter(Producer<byte[], byte[]> producer, AckTracker tracker, RecordEncoder encoder,
                             TopicManager topics, String prefix, long maxMessageBytes) {
        this.producer = producer;
        this.maxMessageBytes = maxMessageBytes;
        this.tracker = tracker;
        this.encoder = encoder;
        this.topics = topics;
        this.prefix = prefix;
    }

    @Override
    public void relation(RelationInfo relation) {
        topics.ensureTableTopic(relation.table().topic(prefix));
        encoder.relation(relation);
    }

    @Override
    public void begin(Txn txn) {
        current = tracker.begin(txn);
    }

    @Override
    public void change(Change change) {
        String topic = change.relation().table().topic(prefix);
        RecordEncoder.Encoded enc = encoder.encode(change);
        byte[] value = enc.value();
        long size = value.length + (enc.key() == null ? 0 : enc.key().length);
        if (size > maxMessageBytes) {
            // never dropped, never truncated: the operator raises the limit and restarts, the slot re-sends it
            throw new PgkbException.FatalException("change too large for Kafka: table " + change.relation().table().qualified()
                    + " key " + describeKey(change) + " commit_lsn " + Lsn.of(change.txn().commitLsn()) + " seq "
                    + change.seq() + " is " + size + " bytes, more than --max-message-bytes " + maxMessageBytes
                    + " (raise it, and the broker's message.max.bytes)");
        }
        List<Header> headers = headers(change);
        if (change.op() == Change.Op.TRUNCATE) {
            int n = producer.partitionsFor(topic).size();
            for (int p = 0; p < n; p++) {
                send(new ProducerRecord<>(topic, p, null, null, value, headers), change);
            }
            return;
        }
        send(new ProducerRecord<>(topic, null, null, enc.key(), value, headers), change);
    }

    private void send(ProducerRecord<byte[], byte[]> record, Change change) {
        AckTracker.Pending p = current;
        tracker.sent(p);
        ProducerMetrics.RECORDS.inc();
        // the callback keeps primitives only: in-flight records must not pin their row data
        String table = change.relation().table().qualified();
        long commitLsn = change.txn().commitLsn();
        long seq = change.seq();
        String topic = record.topic();
        Callback cb = (md, ex) -> {
            if (ex == null) {
                tracker.acked(p, md.topic(), md.partition(), md.offset());
                return;
            }
            ProducerMetrics.SEND_ERRORS.inc();
            if (ex instanceof RecordTooLargeException) {
                tracker.failed(p, new PgkbException.FatalException("change too large for Kafka: table " + table
                        + " commit_lsn " + Lsn.of(commitLsn) + " seq " + seq + " (" + ex.getMessage()
                        + "); raise --max-message-bytes and the broker's message.max.bytes"));
            } else {
                log.warn("kafka send failed topic={} commit_lsn={} seq={} error={}", topic, Lsn.of(commitLsn), seq,
                        ex.toString());
                tracker.failed(p, ex);
            }
        };
        producer.send(record, cb);
    }

    @Override
    public void mark(Txn txn, String name) {
        tracker.mark(current, name);
    }

    @Override
    public void heartbeat(long lsn) {
        tracker.heartbeat(lsn);
    }

    @Override
    public void commit(Txn txn, long endLsn) {
        tracker.committed(current, endLsn);
        current = null;
    }

    static List<Header> headers(Change c) {
        List<Header> h = new ArrayList<>(6);
        h.add(header(Headers.OP, c.op().name()));
        h.add(header(Headers.TABLE, c.relation().table().qualified()));
        h.add(header(Headers.LSN, Lsn.of(c.lsn()).toString()));
        h.add(header(Headers.COMMIT_LSN, Lsn.of(c.txn().commitLsn()).toString()));
        h.add(header(Headers.XID, Long.toString(c.txn().xid())));
        h.add(header(Headers.SEQ, Long.toString(c.seq())));
        return h;
    }

    private static Header header(String k, String v) {
        return new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8));
    }

    /** The key columns' text, for error messages. */
    static String describeKey(Change c) {
        TupleData t = c.after() != null ? c.after() : c.before();
        if (t == null || !c.relation().hasKey()) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i : c.relation().keyColumns()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            String v = i < t.size() ? t.text(i) : null;
            sb.append(c.relation().columns().get(i).name()).append('=').append(v == null ? "NULL"
                    : v.length() > 100 ? v.substring(0, 100) + "…" : v);
        }
        return sb.append(')').toString();
    }
}
