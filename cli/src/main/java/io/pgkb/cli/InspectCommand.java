package io.pgkb.cli;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.Durations;
import io.pgkb.schemas.config.KafkaOptions;
import io.pgkb.schemas.config.TopicPrefixOption;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgkb inspect}: the change records of one table as JSON lines on stdout, decoded with the schemas of
 * {@code <prefix>._schemas}. Reads without a consumer group, so it never disturbs the archiver's offsets.
 */
@Command(name = "inspect", sortOptions = false,
        description = "Print the change records of one table as JSON lines (partition, offset, timestamp, headers, key, value).",
        footer = {"", "Follows new records until Ctrl-C unless --max-records is given.",
                "Example: pgkb inspect --bootstrap-servers localhost:9092 --table public.accounts --from-beginning --max-records 10"})
public final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--table", required = true, paramLabel = "SCHEMA.TABLE",
            description = "the table, in SQL identifier syntax (quote with \" where needed)")
    String table;

    @Option(names = "--from-beginning", description = "start at the oldest record Kafka still holds instead of new records")
    boolean fromBeginning;

    @Option(names = "--max-records", paramLabel = "N", description = "stop after N records (default: follow until Ctrl-C)")
    Long maxRecords;

    @Mixin
    TopicPrefixOption prefixOption = new TopicPrefixOption();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "how long to wait for Kafka to answer metadata requests (default: ${DEFAULT-VALUE})")
    String timeout;

    private String topicPrefix;
    private TableId tableId;
    private Duration timeoutDuration;

    void validate() {
        try {
            tableId = TableId.parse(table);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--table: " + e.getMessage());
        }
        if (maxRecords != null && maxRecords < 1) {
            throw new PgkbException.ConfigException("--max-records must be at least 1, got " + maxRecords);
        }
        topicPrefix = prefixOption.value();
        kafka.validate();
        timeoutDuration = Durations.option("--timeout", timeout);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        String topic = tableId.topic(topicPrefix);
        Properties props = consumerProperties();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch finished = new CountDownLatch(1);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
             RecordPrinter printer = RecordPrinter.forKafka(schemaClientConfig(props), topicPrefix)) {
            Thread stopper = new Thread(() -> {
                consumer.wakeup();
                try {
                    finished.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pgkb-inspect-stop");
            try {
                Runtime.getRuntime().addShutdownHook(stopper);
            } catch (IllegalStateException e) {
                return 0; // stopped (SIGTERM) before anything was read: nothing to print
            }
            try {
                List<TopicPartition> partitions = partitions(consumer, topic);
                consumer.assign(partitions);
                if (fromBeginning) {
                    consumer.seekToBeginning(partitions);
                } else {
                    consumer.seekToEnd(partitions);
                }
                long printed = 0;
                while (maxRecords == null || printed < maxRecords) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        out.println(printer.toJson(r));
                        if (maxRecords != null && ++printed >= maxRecords) {
                            break;
                        }
                    }
                    out.flush();
                }
            } catch (WakeupException e) {
                // Ctrl-C or SIGTERM: end quietly after what was printed
            } finally {
                out.flush();
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down: the hook is what brought us here
                }
            }
        }
        return 0;
    }

    private Properties consumerProperties() {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "pgkb-inspect");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeoutDuration.toMillis()));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return p;
    }

    private static Map<String, Object> schemaClientConfig(Properties consumer) {
        Map<String, Object> c = new HashMap<>();
        consumer.forEach((k, v) -> c.put(k.toString(), v));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "pgkb-inspect-schemas");
        return c;
    }

    private List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeoutDuration);
        if (infos == null || infos.isEmpty()) {
            throw new PgkbException.ConfigException("no topic " + topic + " for table " + tableId.qualified() + " on Kafka " + kafka.bootstrapServers()
                    + "; is the table captured (pgkb produce --tables) and --topic-prefix right?");
        }
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo i : infos) {
            out.add(new TopicPartition(topic, i.partition()));
        }
        out.sort(Comparator.comparingInt(TopicPartition::partition));
        return out;
    }
}
