package io.pgkb.producer.internal;

import io.pgkb.schemas.Headers;
import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Writes {@code <prefix>._progress} records (Progress.avsc, single-object encoded) and reads the newest one back.
 * The caller confirms the slot only after the progress record is acknowledged, so the offsets it carries can never
 * be lost while the slot has already moved on.
 */
public final class ProgressWriter {
    public static final Schema SCHEMA = load();
    private static final BinaryMessageEncoder<GenericRecord> ENCODER = new BinaryMessageEncoder<>(GenericData.get(), SCHEMA);
    private static final BinaryMessageDecoder<GenericRecord> DECODER = new BinaryMessageDecoder<>(GenericData.get(), SCHEMA);
    private static final long TIMEOUT_SECONDS = 120;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String slot;
    private final List<org.apache.kafka.common.header.Header> headers;

    public ProgressWriter(Producer<byte[], byte[]> producer, String topic, String slot) {
        this(producer, topic, slot, null);
    }

    /**
     * @param ddlCapture whether DDL capture is on; every record carries it in the header {@link Headers#DDL_CAPTURE}
     *                   (a header, not a field: a new Progress schema would be a fingerprint older readers cannot
     *                   decode); null: no header
     */
    public ProgressWriter(Producer<byte[], byte[]> producer, String topic, String slot, Boolean ddlCapture) {
        this.producer = producer;
        this.topic = topic;
        this.slot = slot;
        this.headers = ddlCapture == null ? List.of() : List.of(new org.apache.kafka.common.header.internals.RecordHeader(
                Headers.DDL_CAPTURE, (ddlCapture ? Headers.DDL_CAPTURE_ON : Headers.DDL_CAPTURE_OFF).getBytes(StandardCharsets.UTF_8)));
    }

    public String topic() {
        return topic;
    }

    /** Sends the CONFIRM record; the caller confirms the slot once the returned future completed successfully. */
    public Future<RecordMetadata> confirm(AckTracker.Confirmable c) {
        GenericRecord r = base("CONFIRM", c.confirmedLsn(), c.lastCommitLsn(), c.commitTimeMicros());
        List<GenericRecord> offsets = new ArrayList<>();
        Schema po = SCHEMA.getField("offsets").schema().getElementType();
        c.nextOffsets().entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<AckTracker.PartitionKey, Long> e) -> e.getKey().topic())
                        .thenComparingInt(e -> e.getKey().partition()))
                .forEach(e -> {
                    GenericRecord o = new GenericData.Record(po);
                    o.put("topic", e.getKey().topic());
                    o.put("partition", e.getKey().partition());
                    o.put("next_offset", e.getValue());
                    offsets.add(o);
                });
        r.put("offsets", offsets);
        return send(r);
    }

    public Future<RecordMetadata> mark(AckTracker.Mark m, long confirmedLsn) {
        GenericRecord r = base("MARK", confirmedLsn, m.commitLsn(), m.commitTimeMicros());
        r.put("mark", m.name());
        r.put("mark_lsn", m.commitLsn());
        return send(r);
    }

    /** The slot was lost: no restore may cross {@code fromLsn..toLsn}. */
    public void gap(long fromLsn, long toLsn) {
        GenericRecord r = base("GAP", toLsn, 0, 0);
        r.put("from_lsn", fromLsn);
        write(r);
    }

    private GenericRecord base(String kind, long confirmed, long lastCommit, long commitTime) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("kind", new GenericData.EnumSymbol(SCHEMA.getField("kind").schema(), kind));
        r.put("confirmed_lsn", confirmed);
        r.put("last_commit_lsn", lastCommit);
        r.put("commit_time", commitTime);
        r.put("offsets", List.of());
        r.put("slot", slot);
        long now = System.currentTimeMillis() * 1000L;
        r.put("written_at", now);
        return r;
    }

    private Future<RecordMetadata> send(GenericRecord r) {
        return producer.send(new ProducerRecord<>(topic, 0, null, null, encode(r), headers));
    }

    private void write(GenericRecord r) {
        try {
            send(r).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgkbException.RetriableException("interrupted while writing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PgkbException.RetriableException("cannot write progress to " + topic + ": " + cause, cause);
        }
    }

    public static byte[] encode(GenericRecord r) {
        try {
            ByteBuffer b = ENCODER.encode(r);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GenericRecord decode(byte[] bytes) {
        try {
            return DECODER.decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest progress record of the topic, or null when it has none (or does not exist). */
    public static GenericRecord readLast(Properties clientConfig, String topic) {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (c.partitionsFor(topic, Duration.ofSeconds(30)).isEmpty()) {
                return null;
            }
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long begin = c.beginningOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            if (end <= begin) {
                return null;
            }
            c.seek(tp, end - 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(500))) {
                    if (rec.offset() == end - 1) {
                        return decode(rec.value());
                    }
                }
            }
            throw new PgkbException.RetriableException("cannot read the last record of " + topic, null);
        }
    }

    private static Schema load() {
        try (InputStream in = ProgressWriter.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc")) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/pgkb/schemas/Progress.avsc");
            }
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
