package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@RealServices
class InspectIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.lines().toList()) {
            nodes.add(JSON.readTree(l));
        }
        return nodes;
    }

    @Test
    void printsDecodedRecordsFromTheBeginning(TestKafka kafka) throws Exception {
        try (TestRecords w = new TestRecords(kafka.bootstrapServers(), kafka.prefix() + "1")) {
            w.createTopic(2);
            w.insert(1, "alice", "12.34", 0);
            w.insert(2, "bob \"the\" builder", "-0.50", 1);
            w.insert(3, null, null, 0);

            InProcess.Result r = InProcess.run("inspect", "--bootstrap-servers", kafka.bootstrapServers(), "--table", "public.accounts",
                    "--topic-prefix", kafka.prefix() + "1", "--from-beginning", "--max-records", "3");
            assertThat(r.code()).as(r.err()).isZero();
            List<JsonNode> recs = lines(r.out());
            assertThat(recs).hasSize(3);
            // partitions are read independently: order by id to compare
            recs.sort((a, b) -> Long.compare(a.at("/key/id").asLong(), b.at("/key/id").asLong()));

            JsonNode alice = recs.get(0);
            assertThat(alice.get("topic").asText()).isEqualTo(kafka.prefix() + "1.public.accounts");
            assertThat(alice.get("partition").asInt()).isZero();
            assertThat(alice.get("offset").asLong()).isZero();
            assertThat(alice.get("timestamp").asText()).endsWith("Z");
            assertThat(alice.at("/headers/pgkb.op").asText()).isEqualTo("INSERT");
            assertThat(alice.at("/headers/pgkb.table").asText()).isEqualTo("public.accounts");
            assertThat(alice.at("/headers/pgkb.commit_lsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(alice.get("key").toString()).isEqualTo("{\"id\":1}");
            assertThat(alice.at("/value/op").asText()).isEqualTo("INSERT");
            assertThat(alice.at("/value/table").asText()).isEqualTo("public.accounts");
            assertThat(alice.at("/value/before").isNull()).isTrue();
            assertThat(alice.at("/value/after").toString()).isEqualTo("{\"id\":1,\"owner\":\"alice\",\"balance\":12.34}");
            assertThat(alice.at("/value/commit_lsn").asText()).isEqualTo(alice.at("/headers/pgkb.commit_lsn").asText());

            JsonNode bob = recs.get(1);
            assertThat(bob.get("partition").asInt()).isEqualTo(1);
            assertThat(bob.at("/value/after/owner").asText()).isEqualTo("bob \"the\" builder");
            assertThat(bob.at("/value/after/balance").decimalValue()).isEqualByComparingTo("-0.50");

            JsonNode nulls = recs.get(2);
            assertThat(nulls.at("/value/after/owner").isNull()).isTrue();
            assertThat(nulls.at("/value/after/balance").isNull()).isTrue();
        }
    }

    @Test
    void followsOnlyNewRecordsByDefault(TestKafka kafka) throws Exception {
        try (TestRecords w = new TestRecords(kafka.bootstrapServers(), kafka.prefix() + "2")) {
            w.createTopic(1);
            for (int i = 1; i <= 5; i++) {
                w.insert(i, "old-" + i, "1.00", 0);
            }
            CompletableFuture<InProcess.Result> inspect = CompletableFuture.supplyAsync(() -> InProcess.run("inspect",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--table", "public.accounts", "--topic-prefix", kafka.prefix() + "2",
                    "--max-records", "2"));
            // inspect starts at the end whenever it gets there: keep writing new records until it has printed two
            long[] next = {100};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
                if (!inspect.isDone()) {
                    w.insert(next[0]++, "new", "2.00", 0);
                }
                return inspect.isDone();
            });
            InProcess.Result r = inspect.get();
            assertThat(r.code()).as(r.err()).isZero();
            List<JsonNode> recs = lines(r.out());
            assertThat(recs).hasSize(2);
            for (JsonNode n : recs) {
                assertThat(n.at("/key/id").asLong()).as("only records written after inspect started").isGreaterThanOrEqualTo(100);
                assertThat(n.at("/value/after/owner").asText()).isEqualTo("new");
            }
            assertThat(recs.get(1).get("offset").asLong()).isEqualTo(recs.get(0).get("offset").asLong() + 1);
        }
    }

    @Test
    void unknownTableIsAUsageErrorOnOneLine(TestKafka kafka) {
        InProcess.Result r = InProcess.run("inspect", "--bootstrap-servers", kafka.bootstrapServers(), "--table", "public.nope",
                "--topic-prefix", kafka.prefix() + "3", "--max-records", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("no topic " + kafka.prefix() + "3.public.nope", "pgkb produce --tables");
        assertThat(r.out()).isEmpty();
    }
}
