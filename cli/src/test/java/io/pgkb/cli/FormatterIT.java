package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.tools.consumer.ConsoleConsumer;
import org.apache.kafka.tools.consumer.ConsoleConsumerOptions;
import org.junit.jupiter.api.Test;

/** PgkbMessageFormatter inside Kafka's own console consumer prints what {@code pgkb inspect} prints. */
@RealServices
class FormatterIT {

    private static String consoleConsumer(String... args) throws Exception {
        ConsoleConsumerOptions opts = new ConsoleConsumerOptions(args);
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            ConsoleConsumer.run(opts);
        } finally {
            System.setOut(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void consoleConsumerWithTheFormatterPrintsTheSameJsonAsInspect(TestKafka kafka) throws Exception {
        String bs = kafka.bootstrapServers();
        try (TestRecords w = new TestRecords(bs, kafka.prefix() + "f")) {
            w.createTopic(1);
            w.insert(1, "alice", "12.34", 0);
            w.insert(2, "Zoë", "99.00", 0);

            // the documented command, minus the shell script: kafka-console-consumer.sh runs this very class
            String printed = consoleConsumer("--bootstrap-server", bs, "--topic", kafka.prefix() + "f.public.accounts", "--from-beginning",
                    "--max-messages", "2", "--timeout-ms", "60000",
                    "--formatter", PgkbMessageFormatter.class.getName(),
                    "--formatter-property", "pgkb.bootstrap.servers=" + bs,
                    "--formatter-property", "print.headers=true");
            List<String> lines = printed.lines().toList();
            assertThat(lines).hasSize(2);
            ObjectMapper json = new ObjectMapper();
            JsonNode first = json.readTree(lines.get(0));
            assertThat(first.at("/headers/pgkb.op").asText()).isEqualTo("INSERT");
            assertThat(first.get("key").toString()).isEqualTo("{\"id\":1}");
            assertThat(first.at("/value/after").toString()).isEqualTo("{\"id\":1,\"owner\":\"alice\",\"balance\":12.34}");
            assertThat(json.readTree(lines.get(1)).at("/value/after/owner").asText()).isEqualTo("Zoë");

            InProcess.Result inspect = InProcess.run("inspect", "--bootstrap-servers", bs, "--table", "public.accounts",
                    "--topic-prefix", kafka.prefix() + "f", "--from-beginning", "--max-records", "2");
            assertThat(inspect.code()).as(inspect.err()).isZero();
            assertThat(new TreeSet<>(inspect.out().lines().toList())).isEqualTo(new TreeSet<>(lines));
        }
    }

    @Test
    void withoutHeadersWhenAskedAndPrefixFromTheTopicName(TestKafka kafka) throws Exception {
        String bs = kafka.bootstrapServers();
        try (TestRecords w = new TestRecords(bs, kafka.prefix() + ".team")) {
            w.createTopic(1);
            w.insert(7, "carol", "1.00", 0);
            String printed = consoleConsumer("--bootstrap-server", bs, "--topic", kafka.prefix() + ".team.public.accounts", "--from-beginning",
                    "--max-messages", "1", "--timeout-ms", "60000",
                    "--formatter", PgkbMessageFormatter.class.getName(),
                    "--formatter-property", "pgkb.bootstrap.servers=" + bs,
                    "--formatter-property", "print.headers=false");
            JsonNode n = new ObjectMapper().readTree(printed.lines().findFirst().orElseThrow());
            assertThat(n.get("headers").size()).isZero();
            assertThat(n.at("/value/after/owner").asText()).isEqualTo("carol");
        }
    }
}
