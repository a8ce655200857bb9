package io.pgkb.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.tools.consumer.ConsoleConsumer;
import org.apache.kafka.tools.consumer.ConsoleConsumerOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka's own console consumer prints pgkb records as JSON lines with {@link ChangeRecordFormatter}. */
@RealServices
class ConsoleFormatterIT {

    @Test
    void consoleConsumerPrintsReadableJson(TestKafka kafka) throws Exception {
        {
            String prefix = kafka.prefix();
            ChangeEnvelopes env = new ChangeEnvelopes(Fixtures.orders());
            String topic = Fixtures.ORDERS.topic(prefix);
            kafka.createTopic(topic, 1, Map.of());
            try (SchemaRegistrar registrar = new SchemaRegistrar(kafka.bootstrapServers(), prefix);
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                         kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                registrar.ensureRegistered(env.schemas().value());
                registrar.ensureRegistered(env.schemas().key());
                GenericRecord after = env.row(Arrays.asList("1", "2", "9.99", "tab\there", "2024-01-15 10:20:30+00",
                        "{a,NULL}", "\\x0102"));
                producer.send(new ProducerRecord<>(topic, SingleObjectCodec.encode(env.schemas().key(), env.key(after)),
                        SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, after, List.of(),
                                new ChangeSource(0x10L, 0x20L, 5, 1705314030_000000L, 0, Fixtures.ORDERS))))).get();
                producer.send(new ProducerRecord<>(topic, null, SingleObjectCodec.encode(env.schemas().value(),
                        env.value(Op.TRUNCATE, null, null, List.of(),
                                new ChangeSource(0x30L, 0x40L, 6, 1705314031_000000L, 0, Fixtures.ORDERS))))).get();
            }

            PrintStream original = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                ConsoleConsumer.run(new ConsoleConsumerOptions(new String[] {
                        "--bootstrap-server", kafka.bootstrapServers(), "--topic", topic, "--from-beginning",
                        "--max-messages", "2", "--timeout-ms", "60000",
                        "--formatter", ChangeRecordFormatter.class.getName(),
                        "--formatter-property", "pgkb.bootstrap.servers=" + kafka.bootstrapServers()}));
            } finally {
                System.setOut(original);
            }
            String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
            assertThat(lines).hasSize(2);
            ObjectMapper json = new ObjectMapper();
            JsonNode insert = json.readTree(lines[0]);
            assertThat(insert.get("op").asText()).isEqualTo("INSERT");
            assertThat(insert.get("table").asText()).isEqualTo("shop.order items");
            assertThat(insert.get("commit_lsn").asText()).isEqualTo("0/20");
            assertThat(insert.get("key").get("Line No").asInt()).isEqualTo(2);
            assertThat(insert.get("after").get("price").decimalValue()).isEqualByComparingTo("9.99");
            assertThat(insert.get("after").get("note").asText()).isEqualTo("tab\there");
            assertThat(insert.get("after").get("at").asText()).isEqualTo("2024-01-15T10:20:30Z");
            assertThat(insert.get("after").get("blob").asText()).isEqualTo("\\x0102");
            JsonNode truncate = json.readTree(lines[1]);
            assertThat(truncate.get("op").asText()).isEqualTo("TRUNCATE");
            assertThat(truncate.has("key")).isFalse();
            assertThat(truncate.get("after").isNull()).isTrue();
        }
    }
}
