package io.pgkb.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import org.apache.kafka.clients.producer.internals.Sender;
import org.apache.kafka.common.utils.LogContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {
    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final Logger log = LoggerFactory.getLogger("io.pgkb.producer.ReplicationStream");

    @AfterEach
    void restore() {
        Logging.configure(Logging.Format.TEXT, Logging.LogLevel.INFO);
    }

    private List<String> lines() {
        return sink.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void textIsOneLinePerEventWithKeyValues() {
        Logging.configure(Logging.Format.TEXT, Logging.LogLevel.INFO, sink);
        log.info("confirmed lsn={} tables={}", "0/16B3748", 3);
        log.atInfo().setMessage("segment written").addKeyValue("topic", "pgkb.public.a").addKeyValue("note", "two words").log();
        log.warn("multi\nline\nmessage", new SQLException("outer", "08006", new IOException("inner")));
        log.debug("not shown at info");
        List<String> lines = lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  ReplicationStream - confirmed lsn=0/16B3748 tables=3");
        assertThat(lines.get(1)).endsWith("segment written topic=pgkb.public.a note=\"two words\"");
        assertThat(lines.get(2)).contains("WARN", "multi | line | message", "error=\"SQLException: outer <- IOException: inner\"");
    }

    @Test
    void debugAddsStackTraces() {
        Logging.configure(Logging.Format.TEXT, Logging.LogLevel.DEBUG, sink);
        log.debug("shown");
        log.error("failed", new IllegalStateException("x"));
        String all = sink.toString(StandardCharsets.UTF_8);
        assertThat(all).contains("shown").contains("\tat io.pgkb.cli.internal.LoggingTest");
    }

    @Test
    void librariesStayQuietAtInfo() {
        Logging.configure(Logging.Format.TEXT, Logging.LogLevel.INFO, sink);
        LoggerFactory.getLogger("org.apache.kafka.clients.producer.ProducerConfig").info("ProducerConfig values: ...");
        for (int i = 0; i < 50; i++) {
            LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").warn("Connection to node {} could not be established", -1);
        }
        LoggerFactory.getLogger("org.apache.kafka.clients.producer.KafkaProducer").warn("real warning");
        // a repeated library warning shows once per minute, not 50 times
        assertThat(lines()).hasSize(2);
        assertThat(lines().get(0)).contains("Connection to node -1 could not be established");
        assertThat(lines().get(1)).contains("real warning");
    }

    @Test
    void aKafkaClientsOutageFloodShowsOncePerKindOfWarning() {
        Logging.configure(Logging.Format.TEXT, Logging.LogLevel.INFO, sink);
        // the clients' LogContext formats each line itself: every line of one outage has its own text
        Logger sender = new LogContext("[Producer clientId=pgkb-producer-x] ").logger(Sender.class);
        for (int i = 0; i < 40; i++) {
            sender.warn("Got error produce response with correlation id {} on topic-partition {}, retrying ({} attempts left). "
                    + "Error: NETWORK_EXCEPTION", 100 + i, "x.public.t" + i % 7 + "-" + i % 2, Integer.MAX_VALUE - 1);
            sender.warn("Received invalid metadata error in produce request on partition {} due to {}", "x.public.t" + i % 7 + "-0",
                    "NetworkException: Disconnected from node 1");
        }
        sender.warn("Aborting producer batches due to fatal error");
        assertThat(lines()).hasSize(3);
        assertThat(lines().get(0)).contains("correlation id 100 on topic-partition x.public.t0-0");
        assertThat(lines().get(1)).contains("Received invalid metadata error");
        assertThat(lines().get(2)).contains("Aborting producer batches");
    }

    @Test
    void jsonIsOneObjectPerLine() throws Exception {
        Logging.configure(Logging.Format.JSON, Logging.LogLevel.INFO, sink);
        log.info("confirmed lsn={}", "0/10");
        log.atWarn().setMessage("slow").addKeyValue("ms", 1200).log();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = lines();
        assertThat(lines).hasSize(2);
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("message").asText()).isEqualTo("confirmed lsn=0/10");
        assertThat(first.get("logger").asText()).isEqualTo("io.pgkb.producer.ReplicationStream");
        assertThat(first.get("time").asText()).endsWith("Z");
        assertThat(json.readTree(lines.get(1)).get("ms").asInt()).isEqualTo(1200);
    }

    @Test
    void passwordsAreMaskedInBothFormats() {
        for (Logging.Format f : Logging.Format.values()) {
            sink.reset();
            Logging.configure(f, Logging.LogLevel.INFO, sink);
            log.info("connecting url=postgresql://pgkb:Tr0ub4dor@db:5432/app");
            log.info("props password=Tr0ub4dor user=pgkb");
            log.error("failed", new RuntimeException("FATAL: bad login for jdbc:postgresql://db/app?password=Tr0ub4dor"));
            String all = sink.toString(StandardCharsets.UTF_8);
            assertThat(all).as(f.name()).doesNotContain("Tr0ub4dor").contains("pgkb:***@db");
        }
    }
}
