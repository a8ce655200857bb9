package io.pgkb.producer.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
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
    /** A relation's topic and {@code pgkb.table} header, built once per relation version instead of per record. */
    private record RelationOut(String topic, String table, byte[] tableBytes) {
    }

    private final IdentityHashMap<RelationInfo, RelationOut> relationOut = new IdentityHashMap<>();
    private RelationInfo lastRelation; // consecutive changes are mostly of one relation: no map lookup for them
    private RelationOut lastOut;
    private static final byte[][] OP_BYTES = opBytes();
    private Txn headerTxn;
    private byte[] commitLsnBytes;
    private byte[] xidBytes;

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
        RelationOut rel = out(change.relation());
        String topic = rel.topic();
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
        if (headerTxn != change.txn()) {
            headerTxn = change.txn();
            commitLsnBytes = lsnBytes(headerTxn.commitLsn());
            xidBytes = utf8(Long.toString(headerTxn.xid()));
        }
        List<Header> headers = new ArrayList<>(6);
        headers.add(new RecordHeader(Headers.OP, OP_BYTES[change.op().ordinal()]));
        headers.add(new RecordHeader(Headers.TABLE, rel.tableBytes()));
        headers.add(new RecordHeader(Headers.LSN, lsnBytes(change.lsn())));
        headers.add(new RecordHeader(Headers.COMMIT_LSN, commitLsnBytes));
        headers.add(new RecordHeader(Headers.XID, xidBytes));
        headers.add(new RecordHeader(Headers.SEQ, utf8(Long.toString(change.seq()))));
        if (change.op() == Change.Op.TRUNCATE) {
            toEveryPartition(topic, value, headers, change.txn(), change.seq(), rel.table());
            return;
        }
        send(new ProducerRecord<>(topic, null, null, enc.key(), value, headers), change.txn(), change.seq(), rel.table());
    }

    /**
     * A DDL record: like a TRUNCATE, null key and one copy in every partition, so each partition's stream holds it in
     * order with the table's changes. A dropped table's record is kept only if the table has a topic (was backed up).
     */
    @Override
    public void ddl(DdlChange d) {
        DdlMessage m = d.message();
        String topic = m.table().topic(prefix);
        if (m.dropped()) {
            if (!topics.exists(topic)) {
                return;
            }
        } else {
            topics.ensureTableTopic(topic);
        }
        String table = m.table().qualified();
        Txn txn = d.txn();
        byte[] value = encoder.encodeDdl(m.table(), new DdlEvent(DdlEvent.FORMAT, m.oid(), m.tag(), m.rewrite(), m.dropped(),
                m.columns(), m.definition(), m.query(), d.lsn(), txn.commitLsn(), txn.xid(), txn.commitTimeMicros(),
                d.seq(), table));
        if (value.length > maxMessageBytes) {
            throw new PgkbException.FatalException("DDL record too large for Kafka: table " + table + " commit_lsn "
                    + Lsn.of(txn.commitLsn()) + " seq " + d.seq() + " is " + value.length
                    + " bytes, more than --max-message-bytes " + maxMessageBytes);
        }
        List<Header> headers = List.of(
                new RecordHeader(Headers.OP, utf8(DdlEvent.OP_HEADER)),
                new RecordHeader(Headers.TABLE, utf8(table)),
                new RecordHeader(Headers.LSN, lsnBytes(d.lsn())),
                new RecordHeader(Headers.COMMIT_LSN, lsnBytes(txn.commitLsn())),
                new RecordHeader(Headers.XID, utf8(Long.toString(txn.xid()))),
                new RecordHeader(Headers.SEQ, utf8(Long.toString(d.seq()))));
        toEveryPartition(topic, value, headers, txn, d.seq(), table);
        log.info("ddl published table={} tag={} rewrite={} dropped={} commit_lsn={} seq={}", table, m.tag(), m.rewrite(),
                m.dropped(), Lsn.of(txn.commitLsn()), d.seq());
    }

    private void toEveryPartition(String topic, byte[] value, List<Header> headers, Txn txn, long seq, String table) {
        int n = producer.partitionsFor(topic).size();
        for (int p = 0; p < n; p++) {
            send(new ProducerRecord<>(topic, p, null, null, value, headers), txn, seq, table);
        }
    }

    private RelationOut out(RelationInfo r) {
        if (r != lastRelation) {
            if (relationOut.size() > 10_000) {
                relationOut.clear(); // one entry per relation version seen; keep it bounded in very long sessions
            }
            lastOut = relationOut.computeIfAbsent(r,
                    k -> new RelationOut(k.table().topic(prefix), k.table().qualified(), utf8(k.table().qualified())));
            lastRelation = r;
        }
        return lastOut;
    }

    private void send(ProducerRecord<byte[], byte[]> record, Txn txn, long seq, String table) {
        AckTracker.Pending p = current;
        tracker.sent(p);
        ProducerMetrics.RECORDS.inc();
        // the callback keeps primitives only: in-flight records must not pin their row data
        long commitLsn = txn.commitLsn();
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

    private static byte[][] opBytes() {
        Change.Op[] ops = Change.Op.values();
        byte[][] out = new byte[ops.length][];
        for (Change.Op op : ops) {
            out[op.ordinal()] = utf8(op.name());
        }
        return out;
    }

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /** The UTF-8 bytes of {@code Lsn.of(lsn).toString()} ({@code X/X}, upper-case hex), without the strings. */
    static byte[] lsnBytes(long lsn) {
        long hi = lsn >>> 32;
        long lo = lsn & 0xFFFFFFFFL;
        int hiDigits = hexDigits(hi);
        int loDigits = hexDigits(lo);
        byte[] out = new byte[hiDigits + 1 + loDigits];
        for (int i = hiDigits - 1, v = 0; i >= 0; i--, v += 4) {
            out[i] = HEX[(int) (hi >>> v) & 0xF];
        }
        out[hiDigits] = '/';
        for (int i = out.length - 1, v = 0; i > hiDigits; i--, v += 4) {
            out[i] = HEX[(int) (lo >>> v) & 0xF];
        }
        return out;
    }

    private static int hexDigits(long v) {
        return v == 0 ? 1 : (67 - Long.numberOfLeadingZeros(v)) / 4;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
