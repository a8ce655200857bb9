package io.pgkb.bench.archiver;

import io.pgkb.archiver.Archiver;
import io.pgkb.archiver.ArchiverConfig;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.TableId;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.LocalKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One archiver against the Kafka producer on the same change records (run with -Xmx512m, see bench/archiver.sh):
 * <ol>
 *   <li>throughput: records/s a KafkaProducer configured like pgkb's (acks=all, idempotent, zstd) sends, encoding
 *       included, vs records/s one archiver makes durable in a filesystem archive;</li>
 *   <li>size: archive segment bytes ÷ Kafka log bytes of the same records;</li>
 *   <li>memory: peak heap while 200 partitions each hold an open segment.</li>
 * </ol>
 * Args: [records (default 400000)] [partitions of the throughput topic (default 12)].
 */
public final class ArchiverBench {
    private ArchiverBench() {
    }

    public static void main(String[] args) throws Exception {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 400_000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Path work = Files.createTempDirectory("pgkb-archiver-bench-");
        try (LocalKafka kafka = LocalKafka.start()) {
            Result r = run(kafka, "bench", partitions, records, work.resolve("a"), Duration.ofSeconds(1));
            System.out.printf("throughput: producer %.0f records/s, archiver %.0f records/s, ratio %.2f (target >= 2)%n",
                    r.producerRate, r.archiverRate, r.archiverRate / r.producerRate);
            System.out.printf("size: archive %d bytes / kafka %d bytes = %.3f (target <= 0.5)%n",
                    r.archiveBytes, r.kafkaBytes, (double) r.archiveBytes / r.kafkaBytes);

            resetPeaks();
            Result h = run(kafka, "heap", 200, 200 * 400, work.resolve("h"), Duration.ofMinutes(10));
            System.out.printf("heap: 200 partitions with open segments, peak heap used %d MiB of max %d MiB (%d records archived)%n",
                    peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20, h.archived);
        } finally {
            deleteRecursively(work);
        }
    }

    record Result(double producerRate, double archiverRate, long archiveBytes, long kafkaBytes, long archived) {
    }

    private static Result run(LocalKafka kafka, String prefix, int partitions, long records, Path dir, Duration maxAge) throws Exception {
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

        ArchiverConfig config = ArchiverConfig.defaults(kafka.bootstrapServers(), prefix, dir.resolve("spool"))
                .withSegmentLimits(64L << 20, 1_000_000, maxAge);
        long archived;
        double archiverRate;
        try (ObjectStore store = new FileSystemStore(dir.resolve("archive"))) {
            Archiver archiver = new Archiver(config, store);
            Thread t = new Thread(archiver::run, "bench-archiver");
            t.start();
            // steady-state rate: from the first assignment (the group join waits for the broker's initial delay)
            while (archiver.knownTables().isEmpty()) {
                Thread.sleep(5);
            }
            long a0 = System.nanoTime();
            if (maxAge.compareTo(Duration.ofMinutes(1)) > 0) {
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
            archived = archiver.stats().recordsArchived();
            long archiveBytes = 0;
            for (ObjectStore.ObjectInfo o : store.list(new ArchiveLayout(prefix).tablesRoot())) {
                archiveBytes += o.size();
            }
            return new Result(producerRate, archiverRate, archiveBytes, kafkaBytes(kafka, topic), archived);
        }
    }

    /** True once the archiver's open segments hold every record: its spool holds them all (lag reached 0). */
    private static boolean consumedAll(String topic, int partitions) {
        io.prometheus.metrics.model.snapshots.GaugeSnapshot snap = io.pgkb.archiver.internal.ArchiverMetrics.LAG.collect();
        long lagging = snap.getDataPoints().stream()
                .filter(d -> d.getLabels().get("topic").equals(topic))
                .filter(d -> d.getValue() > 0).count();
        long reporting = snap.getDataPoints().stream().filter(d -> d.getLabels().get("topic").equals(topic)).count();
        return reporting == partitions && lagging == 0;
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

    private static void deleteRecursively(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
