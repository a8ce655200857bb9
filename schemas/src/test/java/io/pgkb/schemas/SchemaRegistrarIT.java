package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

@RealServices
class SchemaRegistrarIT {
    final TestKafka kafka;

    SchemaRegistrarIT(TestKafka kafka) {
        this.kafka = kafka;
    }

    @Test
    void registersIntoACompactedSinglePartitionTopicBeforeReturning() throws Exception {
        String prefix = kafka.prefix() + "-acked";
        TableSchemas s = RowSchemas.derive(Fixtures.orders());
        try (SchemaRegistrar registrar = new SchemaRegistrar(kafka.bootstrapServers(), prefix)) {
            String fp = registrar.ensureRegistered(s.value());
            assertThat(fp).isEqualTo(SingleObjectCodec.fingerprint(s.value()));
            registrar.ensureRegistered(s.key());
            registrar.ensureRegistered(s.value()); // cached: no second record

            String topic = prefix + "._schemas";
            {
                Admin admin = kafka.admin();
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                assertThat(d.partitions()).hasSize(1);
                ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config cfg = admin.describeConfigs(List.of(res)).all().get().get(res);
                assertThat(cfg.get("cleanup.policy").value()).isEqualTo("compact");
            }
            // the records are there the moment ensureRegistered returned (acks=all, waited for)
            List<ConsumerRecord<byte[], byte[]>> records = readAll(topic);
            assertThat(records).hasSize(2);
            ConsumerRecord<byte[], byte[]> first = records.get(0);
            assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo(fp);
            Schema parsed = new Schema.Parser().parse(new String(first.value(), StandardCharsets.UTF_8));
            assertThat(parsed).isEqualTo(s.value());
            assertThat(SingleObjectCodec.fingerprint(parsed)).isEqualTo(fp);
        }
    }

    @Test
    void resolverFindsSchemasRegisteredAfterItStarted() {
        String prefix = kafka.prefix() + "-refresh";
        TableSchemas v1 = RowSchemas.derive(Fixtures.orders());
        List<ColumnDef> cols = Fixtures.ordersColumns();
        cols.add(new ColumnDef("added", PgTypes.DATE, -1, "date", false));
        TableSchemas v2 = RowSchemas.derive(Fixtures.orders(cols));
        try (KafkaSchemaResolver resolver = new KafkaSchemaResolver(kafka.bootstrapServers(), prefix);
             SchemaRegistrar registrar = new SchemaRegistrar(kafka.bootstrapServers(), prefix)) {
            // no topic yet: unknown, not an error
            assertThat(resolver.findByFingerprint(SingleObjectCodec.fingerprint64(v1.value()))).isNull();
            registrar.ensureRegistered(v1.value());
            assertThat(resolver.findByFingerprint(SingleObjectCodec.fingerprint64(v1.value()))).isEqualTo(v1.value());
            registrar.ensureRegistered(v2.value());
            assertThat(resolver.findByFingerprint(SingleObjectCodec.fingerprint64(v2.value()))).isEqualTo(v2.value());
            assertThat(resolver.findByFingerprint(12345L)).isNull();
            assertThat(resolver.size()).isEqualTo(2);
        }
        // a fresh resolver reads everything from the beginning
        try (KafkaSchemaResolver fresh = new KafkaSchemaResolver(kafka.bootstrapServers(), prefix)) {
            assertThat(fresh.findByFingerprint(SingleObjectCodec.fingerprint64(v1.value()))).isEqualTo(v1.value());
            assertThat(fresh.size()).isEqualTo(2);
        }
    }

    @Test
    void neverReportsRegisteredWithoutTheBrokersAcknowledgement() {
        String prefix = kafka.prefix() + "-outage";
        TableSchemas s = RowSchemas.derive(Fixtures.orders());
        Map<String, Object> client = new HashMap<>();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        client.put("delivery.timeout.ms", 4000);
        client.put("request.timeout.ms", 2000);
        client.put("max.block.ms", 4000);
        try (SchemaRegistrar registrar = new SchemaRegistrar(client, prefix)) {
            registrar.ensureTopic();
            kafka.stopBroker();
            try {
                assertThatThrownBy(() -> registrar.ensureRegistered(s.value()))
                        .isInstanceOf(PgkbException.RetriableException.class)
                        .hasMessageContaining(SingleObjectCodec.fingerprint(s.value()));
            } finally {
                kafka.startBroker();
            }
            // a failed registration is not cached: the next call sends again and returns once acknowledged
            registrar.ensureRegistered(s.value());
            List<ConsumerRecord<byte[], byte[]>> records = readAll(prefix + "._schemas");
            assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .contains(SingleObjectCodec.fingerprint(s.value()));
        }
    }

    @Test
    void refusesAnExistingTopicThatIsNotCompacted() throws Exception {
        String prefix = kafka.prefix() + "-delete";
        kafka.createTopic(prefix + "._schemas", 1, Map.of("cleanup.policy", "delete"));
        try (SchemaRegistrar registrar = new SchemaRegistrar(kafka.bootstrapServers(), prefix)) {
            assertThatThrownBy(() -> registrar.ensureRegistered(RowSchemas.derive(Fixtures.orders()).value()))
                    .isInstanceOf(PgkbException.ConfigException.class)
                    .hasMessageContaining(prefix + "._schemas").hasMessageContaining("cleanup.policy=delete");
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", kafka.bootstrapServers());
        c.put("key.deserializer", ByteArrayDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
