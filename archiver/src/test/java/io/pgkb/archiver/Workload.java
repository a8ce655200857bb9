package io.pgkb.archiver;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.KafkaTopics;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes change records as the producer does: per-table topics, key and envelope value single-object encoded
 * with schemas registered in {@code _schemas} first, pgkb.* headers, and {@code _progress} records.
 */
public final class Workload implements AutoCloseable {
    private final String prefix;
    private final String bootstrap;
    private final KafkaProducer<byte[], byte[]> producer;
    private final SchemaRegistrar registrar;
    private final List<ChangeEnvelopes> tables = new ArrayList<>();
    private final Map<TableId, Integer> partitions = new HashMap<>();
    private final Random random = new Random(42);
    private long lsn = 0x1000_0000L;
    private long xid = 1000;
    private final int valueBytes;
    private Thread background;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private volatile Exception failure;

    public Workload(String bootstrap, String prefix, int valueBytes) {
        this.prefix = prefix;
        this.bootstrap = bootstrap;
        this.valueBytes = valueBytes;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.registrar = new SchemaRegistrar(bootstrap, prefix);
    }

    /** Creates the table's topic and registers its schemas. */
    public TableId addTable(String schema, String name, int partitionCount) {
        TableId t = new TableId(schema, name);
        RelationDef rel = new RelationDef(16384 + tables.size(), t, 'd', List.of(
                new ColumnDef("id", 20, -1, "bigint", true),
                new ColumnDef("payload", 25, -1, "text", false)));
        ChangeEnvelopes env = new ChangeEnvelopes(rel);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(t.topic(prefix), partitionCount, (short) 1),
                    new NewTopic(prefix + "._progress", 1, (short) 1))).values()
                    .forEach((k, f) -> {
                        try {
                            f.get();
                        } catch (ExecutionException e) {
                            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                                throw new IllegalStateException(e.getCause());
                            }
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            KafkaTopics.awaitLeaders(admin, t.topic(prefix), partitionCount, 60);
            KafkaTopics.awaitLeaders(admin, prefix + "._progress", 1, 60);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
        registrar.ensureRegistered(env.schemas().key());
        registrar.ensureRegistered(env.schemas().value());
        registrar.ensureRegistered(progressSchema());
        tables.add(env);
        partitions.put(t, partitionCount);
        return t;
    }

    /** Sends one transaction of {@code changes} inserts spread over the tables, then a progress record. */
    public void transaction(int changes) {
        long commitLsn = lsn += 1000;
        long x = xid++;
        for (int seq = 0; seq < changes; seq++) {
            ChangeEnvelopes env = tables.get(random.nextInt(tables.size()));
            TableId t = env.relation().table();
            long id = random.nextLong() & Long.MAX_VALUE;
            GenericRecord row = env.row(List.of(Long.toString(id), payload()));
            ChangeSource src = new ChangeSource(commitLsn - changes + seq, commitLsn, x, System.currentTimeMillis() * 1000, seq, t);
            byte[] key = SingleObjectCodec.encode(env.schemas().key(), env.key(row));
            byte[] value = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, row, null, src));
            RecordHeaders h = new RecordHeaders();
            h.add(Headers.OP, "INSERT".getBytes(StandardCharsets.UTF_8));
            h.add(Headers.TABLE, t.qualified().getBytes(StandardCharsets.UTF_8));
            h.add(Headers.LSN, Lsn.of(src.lsn()).toString().getBytes(StandardCharsets.UTF_8));
            h.add(Headers.COMMIT_LSN, Lsn.of(commitLsn).toString().getBytes(StandardCharsets.UTF_8));
            h.add(Headers.XID, Long.toString(x).getBytes(StandardCharsets.UTF_8));
            h.add(Headers.SEQ, Long.toString(seq).getBytes(StandardCharsets.UTF_8));
            int partition = (int) (id % partitions.get(t));
            producer.send(new ProducerRecord<>(t.topic(prefix), partition, null, key, value, h));
            sent.incrementAndGet();
        }
        producer.send(new ProducerRecord<>(prefix + "._progress", 0, null, null, progress(commitLsn + 8)));
        sent.incrementAndGet();
    }

    /** Sends a raw record (for bad-record tests). */
    public void sendRaw(String topic, int partition, byte[] key, byte[] value, RecordHeaders headers) {
        try {
            producer.send(new ProducerRecord<>(topic, partition, null, key, value, headers)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    public void flush() {
        producer.flush();
    }

    public long sent() {
        return sent.get();
    }

    /** Writes transactions continuously in a background thread until {@link #stopBackground()}. */
    public void startBackground(int changesPerTransaction, long pauseMillis) {
        background = new Thread(() -> {
            try {
                while (!stop.get()) {
                    transaction(changesPerTransaction);
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis); // pacing the load, not synchronisation
                    }
                }
                producer.flush();
            } catch (Exception e) {
                failure = e;
            }
        }, "workload");
        background.start();
    }

    public void stopBackground() throws Exception {
        stop.set(true);
        background.join();
        if (failure != null) {
            throw failure;
        }
    }

    private String payload() {
        StringBuilder sb = new StringBuilder(valueBytes);
        for (int i = 0; i < valueBytes; i++) {
            sb.append((char) ('!' + random.nextInt(94))); // printable ASCII: compresses like real text, not better
        }
        return sb.toString();
    }

    static Schema progressSchema() {
        try (InputStream in = Workload.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] progress(long confirmed) {
        Schema s = progressSchema();
        GenericData.Record r = new GenericData.Record(s);
        r.put("kind", new GenericData.EnumSymbol(s.getField("kind").schema(), "CONFIRM"));
        r.put("confirmed_lsn", confirmed);
        r.put("last_commit_lsn", confirmed - 8);
        r.put("commit_time", System.currentTimeMillis() * 1000);
        r.put("offsets", List.of());
        r.put("slot", "pgkb");
        r.put("written_at", System.currentTimeMillis() * 1000);
        return SingleObjectCodec.encode(s, r);
    }

    @Override
    public void close() {
        producer.close();
        registrar.close();
    }
}
