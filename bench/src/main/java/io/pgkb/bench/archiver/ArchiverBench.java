package io.pgkb.bench.archiver;

import io.pgkb.archiver.Archiver;
import io.pgkb.archiver.ArchiverConfig;
import io.pgkb.archiver.ArchiverMetrics;
import io.pgkb.bench.BenchStore;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SchemaTopicKeys;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.Topics;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One archiver against the producer on the same change records (run with -Xmx512m, see bench/archiver.sh):
 * <ol>
 *   <li>the baseline: pgkb's producer publishes a realistic workload ({@link TableWorkload}: pgbench tables
 *       and an orders table on a real PostgreSQL) — its records/s, then one archiver's records/s making exactly
 *       those records durable in a filesystem archive, and archive bytes ÷ Kafka log bytes per table;</li>
 *   <li>a stricter baseline: a bare KafkaProducer loop configured like pgkb's (acks=all, idempotent, zstd) sending
 *       pre-encoded synthetic orders rows with near-random columns, vs the archiver on those;</li>
 *   <li>memory: peak heap while 200 partitions each hold an open segment.</li>
 * </ol>
 * Args: [pgbench scale of the realistic workload (default 3 = about 630 000 records, so that start-up and the final stop are a small part of each side's time; 0 skips it)] [synthetic records (default 400000)]
 * [partitions per topic (default 4 realistic, 12 synthetic)].
 */
public final class ArchiverBench {
    private ArchiverBench() {
    }

    public static void main(String[] args) throws Exception {
        int scale = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        long requested = args.length > 1 ? Long.parseLong(args[1]) : 400_000;
        int realPartitions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        Path work = Files.createTempDirectory("pgkb-archiver-bench-");
        System.out.println(BenchStore.describe());
        try (LocalKafka kafka = LocalKafka.start()) {
            if (scale > 0) {
                realistic(kafka, scale, realPartitions, work.resolve("r"));
            }
            // a multiple of 4 segments per partition, so the last segments roll by count exactly at the end and the
            // measured time holds no wait for an age roll
            long records = Math.max(1, requested / (4L * partitions)) * 4L * partitions;
            System.out.printf("%nSYNTHETIC near-random orders rows, bare KafkaProducer loop (stricter baseline): records %d,"
                    + " partitions %d, %d records per segment%n", records, partitions, records / partitions / 4);
            Result r = run(kafka, "bench", partitions, records, work.resolve("a"), Duration.ofSeconds(60), records / partitions / 4);
            System.out.printf("RESULT synthetic throughput: bare KafkaProducer loop %.0f records/s, archiver %.0f records/s"
                    + " (%.1f us CPU/record), ratio %.2f%n", r.producerRate, r.archiverRate, r.cpuPerRecord, r.archiverRate / r.producerRate);
            System.out.printf("RESULT synthetic size: archive %d bytes / kafka %d bytes = %.3f%n",
                    r.archiveBytes, r.kafkaBytes, (double) r.archiveBytes / r.kafkaBytes);

            resetPeaks();
            Result h = run(kafka, "heap", 200, 200 * 400, work.resolve("h"), Duration.ofMinutes(10), 1_000_000);
            System.out.printf("RESULT heap: 200 partitions with open segments, peak heap used %d MiB of max %d MiB (%d records archived)%n",
                    peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20, h.archived);
        } finally {
            deleteRecursively(work);
        }
    }

    /** The comparison: pgkb's producer and one archiver on the same realistic records. */
    private static void realistic(LocalKafka kafka, int scale, int partitions, Path dir) throws Exception {
        String prefix = "real";
        TableWorkload.Produced produced;
        try (LocalPostgres pg = LocalPostgres.start()) {
            produced = TableWorkload.produce(pg, kafka, prefix, scale, partitions);
        }
        System.out.printf("REALISTIC %s; %d records in Kafka (tables + _progress + _schemas), %d partitions per table%n",
                produced.summary(), produced.records(), partitions);
        ArchiverConfig config = withConsumerProperties(ArchiverConfig.builder(kafka.bootstrapServers(), prefix, dir.resolve("spool")).build());
        double seconds;
        try (ObjectStore store = BenchStore.open(dir.resolve("archive"))) {
            // counted before the archiver starts (the producer has finished), so no admin client runs in its time
            List<String> topics = topicsOf(kafka, prefix);
            long total = recordsIn(kafka, topics); // the warm-up's records too
            long expected = total - recordsIn(kafka, List.of(new Topics(prefix).schemas()));
            Archiver archiver = new Archiver(config, store);
            Thread t = startArchiver(archiver);
            long a0 = System.nanoTime();
            long c0 = cpuNanos();
            CpuSplit split = new CpuSplit();
            // every table and progress record taken into a segment, then a graceful stop uploads and commits every
            // open segment: the time covers all records made durable
            while (archiver.stats().recordsBuffered() < expected) {
                Thread.sleep(5);
            }
            String consumed = split.report();
            archiver.stop();
            t.join();
            seconds = (System.nanoTime() - a0) / 1e9;
            double cpuPerRecord = (cpuNanos() - c0) / 1e3 / total;
            // _schemas records count once written; the prefix's encoding record carries no schema and is not archived
            long archivable = total - encodingRecords(kafka, prefix);
            if (archiver.stats().recordsArchived() != archivable) {
                throw new IllegalStateException("archived " + archiver.stats().recordsArchived() + " records of " + archivable);
            }
            double rate = total / seconds;
            System.out.printf("RESULT realistic throughput: pgkb producer %.0f records/s (%.1f s, its start included),"
                    + " archiver %.0f records/s (%.1f s, %.1f us CPU/record), ratio %.2f (target >= 2)%n", produced.rate(),
                    produced.seconds(), rate, seconds, cpuPerRecord, rate / produced.rate());
            System.out.printf("RESULT realistic CPU until every record was read: %s%n", consumed);
            System.out.printf("RESULT realistic CPU with the stop: %s%n", split.report());
            long archiveAll = 0;
            long kafkaAll = 0;
            ArchiveLayout layout = new ArchiveLayout(prefix);
            for (String topic : topics) {
                TableId table = TableId.fromTopic(prefix, topic).orElse(null);
                if (table == null) {
                    continue; // _progress, _schemas
                }
                long a = bytesUnder(store, layout.tableRoot(table));
                long k = kafkaBytes(kafka, topic);
                archiveAll += a;
                kafkaAll += k;
                System.out.printf("  %-28s archive %10d bytes / kafka %10d bytes = %.3f%n", table.qualified(), a, k, (double) a / k);
            }
            System.out.printf("RESULT realistic size: archive %d bytes / kafka %d bytes = %.3f (target <= 0.5)%n",
                    archiveAll, kafkaAll, (double) archiveAll / kafkaAll);
            if (Boolean.getBoolean("sweep")) {
                CodecSweep.run(store, layout.tablesRoot(), kafkaAll);
            }
        }
    }

    /** cpuPerRecord: CPU of this JVM (the broker runs in a child process) per record while the archiver ran. */
    record Result(double producerRate, double archiverRate, long archiveBytes, long kafkaBytes, long archived, double cpuPerRecord) {
    }

    private static Result run(LocalKafka kafka, String prefix, int partitions, long records, Path dir, Duration maxAge,
                              long segmentRecords) throws Exception {
        TableId table = new TableId("public", "orders");
        String topic = table.topic(prefix);
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        ChangeRecords gen = new ChangeRecords(table);
        try (SchemaRegistrar reg = new SchemaRegistrar(kafka.bootstrapServers(), prefix)) {
            reg.ensureRegistered(gen.env.schemas().key());
            reg.ensureRegistered(gen.env.schemas().value());
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                producer.send(gen.next(topic, partitions, i));
            }
            producer.flush();
        }
        double producerRate = records / ((System.nanoTime() - t0) / 1e9);

        ArchiverConfig config = withConsumerProperties(ArchiverConfig.builder(kafka.bootstrapServers(), prefix, dir.resolve("spool"))
                .segmentLimits(64L << 20, segmentRecords, maxAge).build());
        long archived;
        double archiverRate;
        try (ObjectStore store = BenchStore.open(dir.resolve("archive"))) {
            Archiver archiver = new Archiver(config, store);
            Thread t = startArchiver(archiver);
            long a0 = System.nanoTime();
            long c0 = cpuNanos();
            if (maxAge.compareTo(Duration.ofMinutes(5)) > 0) {
                // heap run: wait until every partition's open segment has taken all its records, then measure
                while (!consumedAll(topic, partitions)) {
                    Thread.sleep(200);
                }
                System.gc();
                archiver.stop();
            } else {
                while (archiver.stats().recordsArchived() < records) {
                    Thread.sleep(20);
                }
                archiver.stop();
            }
            t.join();
            archiverRate = records / ((System.nanoTime() - a0) / 1e9);
            double cpuPerRecord = (cpuNanos() - c0) / 1e3 / records;
            archived = archiver.stats().recordsArchived();
            long archiveBytes = bytesUnder(store, new ArchiveLayout(prefix).tablesRoot());
            if (Boolean.getBoolean("sweep") && maxAge.compareTo(Duration.ofMinutes(5)) <= 0) {
                CodecSweep.run(store, new ArchiveLayout(prefix).tablesRoot(), kafkaBytes(kafka, topic));
            }
            return new Result(producerRate, archiverRate, archiveBytes, kafkaBytes(kafka, topic), archived, cpuPerRecord);
        }
    }

    /** True once the archiver's open segments hold every record: its spool holds them all (lag reached 0). */
    private static boolean consumedAll(String topic, int partitions) {
        GaugeSnapshot snap = ArchiverMetrics.LAG.collect();
        long lagging = snap.getDataPoints().stream()
                .filter(d -> d.getLabels().get("topic").equals(topic))
                .filter(d -> d.getValue() > 0).count();
        long reporting = snap.getDataPoints().stream().filter(d -> d.getLabels().get("topic").equals(topic)).count();
        return reporting == partitions && lagging == 0;
    }

    /** Records in the topics of a prefix (end offsets: the producer is not transactional, so no markers). */
    static long recordsIn(LocalKafka kafka, List<String> topics) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
                d.partitions().forEach(p -> specs.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            long n = 0;
            for (var e : admin.listOffsets(specs).all().get().values()) {
                n += e.offset();
            }
            return n;
        }
    }

    /** The {@code pgkb.encoding} records in the prefix's {@code _schemas} topic (read to its end). */
    static long encodingRecords(LocalKafka kafka, String prefix) {
        TopicPartition tp = new TopicPartition(new Topics(prefix).schemas(), 0);
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long n = 0;
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    n += r.key() != null && SchemaTopicKeys.ENCODING.equals(new String(r.key(), StandardCharsets.UTF_8)) ? 1 : 0;
                }
            }
            return n;
        }
    }

    /** The topics an archiver of this prefix consumes. */
    static List<String> topicsOf(LocalKafka kafka, String prefix) throws Exception {
        try (Admin admin = kafka.admin()) {
            return admin.listTopics().names().get().stream().filter(t -> Archiver.topicPattern(prefix).matcher(t).matches())
                    .sorted().toList();
        }
    }

    private static long bytesUnder(ObjectStore store, String prefix) throws Exception {
        long sum = 0;
        for (ObjectStore.ObjectInfo o : store.list(prefix)) {
            sum += o.size();
        }
        return sum;
    }

    private static long kafkaBytes(LocalKafka kafka, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
            long sum = 0;
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (LogDirDescription d : dirs.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
                        if (e.getKey().topic().equals(topic)) {
                            sum += e.getValue().size();
                        }
                    }
                }
            }
            return sum;
        }
    }

    /**
     * Runs the archiver on a new thread and returns once it has its first assignment, so rates are steady-state
     * (the group join waits for the broker's initial rebalance delay).
     */
    private static Thread startArchiver(Archiver archiver) throws InterruptedException {
        Thread t = new Thread(archiver::run, "bench-archiver");
        t.start();
        while (archiver.knownTables().isEmpty()) {
            Thread.sleep(5);
        }
        return t;
    }

    /** System properties {@code consumer.X=V} become Kafka consumer settings X=V (as --kafka-config would). */
    private static ArchiverConfig withConsumerProperties(ArchiverConfig c) {
        Map<String, Object> k = new HashMap<>(c.kafka());
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("consumer."))
                .forEach(n -> k.put(n.substring("consumer.".length()), System.getProperty(n)));
        return c.toBuilder().kafka(k).build();
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean m : ManagementFactory.getMemoryPoolMXBeans()) {
            m.resetPeakUsage();
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean m : ManagementFactory.getMemoryPoolMXBeans()) {
            if (m.getType() == MemoryType.HEAP) {
                sum += m.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
