package io.pgkb.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeRecordFormatterTest {

    @Test
    void printsOneJsonLinePerRecordAndNamesUndecodableOnes() throws Exception {
        ChangeEnvelopes env = new ChangeEnvelopes(Fixtures.orders());
        GenericRecord after = env.row(Arrays.asList("9", "1", "2.50", "hi", null, null, null));
        byte[] value = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, after, List.of(),
                new ChangeSource(1, 2, 3, 4, 5, Fixtures.ORDERS)));
        byte[] key = SingleObjectCodec.encode(env.schemas().key(), env.key(after));
        String topic = Fixtures.ORDERS.topic("my.prefix");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
             ChangeRecordFormatter f = new ChangeRecordFormatter(
                     new MapSchemaResolver(env.schemas().value(), env.schemas().key()))) {
            f.writeTo(new ConsumerRecord<>(topic, 0, 17, key, value), out);
            f.writeTo(new ConsumerRecord<>(topic, 1, 18, key, new byte[] {1, 2}), out);
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        JsonNode n = new ObjectMapper().readTree(lines[0]);
        assertThat(n.get("key").get("Line No").asInt()).isEqualTo(1);
        assertThat(n.get("after").get("price").decimalValue()).isEqualByComparingTo("2.50");
        assertThat(lines[1]).startsWith("ERROR " + topic + "/1@18: ");
    }

    @Test
    void prefixIsTheTopicBeforeItsLastTwoDots() {
        assertThat(ChangeRecordFormatter.prefixOf(new TableId("a.b", "c.d").topic("my.prefix"))).isEqualTo("my.prefix");
        assertThat(ChangeRecordFormatter.prefixOf("pgkb.public.orders")).isEqualTo("pgkb");
    }
}
