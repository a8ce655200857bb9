package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SingleObjectCodec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One registry per registry-mode prefix (DESIGN §14): the registry is recognised by what it says the prefix's ids
 * are, against a scripted registry; another registry is one line, exit 2, naming both; a URL change with the same
 * ids is accepted and recorded.
 */
class RegistryIdentityTest {
    private static final String OLD_URL = "https://registry-a.example:8081";
    private static final Schema A = row("A");
    private static final Schema B = row("B");
    private static final ObjectMapper JSON = new ObjectMapper();
    private ScriptedRegistry server;

    private static Schema row(String name) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"io.pgkb.tables.app\","
                + "\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}");
    }

    /** A registry that gives these ids to these schemas and knows no other id. */
    private RegistryClient registry(Map<Integer, Schema> ids) throws Exception {
        server = new ScriptedRegistry((ex, body) -> {
            String path = ex.getRequestURI().getPath();
            Schema s = ids.get(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)));
            ScriptedRegistry.answer(ex, s == null ? 404 : 200, s == null ? "{\"error_code\":40403}"
                    : JSON.writeValueAsString(JSON.createObjectNode().put("schema", s.toString())));
        });
        return new RegistryClient(SchemaRegistrySettings.of(server.url()), () -> false);
    }

    private RegistryIdentity identity(Map<Integer, Long> known, String recorded) {
        return new RegistryIdentity("app", SchemaRegistrySettings.of(server.url()), known, recorded);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aNewPrefixRecordsItsRegistryWithoutAsking() throws Exception {
        RegistryClient registry = registry(Map.of());
        assertThat(identity(Map.of(), null).verify(registry)).as("record the URL").isTrue();
        assertThat(server.requests).isEmpty();
    }

    @Test
    void theSameRegistryIsRecognisedByItsIdsEvenUnderANewUrl() throws Exception {
        RegistryClient registry = registry(Map.of(1, A, 2, B));
        Map<Integer, Long> known = Map.of(1, SingleObjectCodec.fingerprint64(A), 2, SingleObjectCodec.fingerprint64(B));
        assertThat(identity(known, server.url()).verify(registry)).as("same URL: nothing to record").isFalse();
        assertThat(server.requests).hasSize(2).allMatch(r -> r.startsWith("GET /apis/ccompat/v7/schemas/ids/"));
        assertThat(identity(known, OLD_URL).verify(registry)).as("a new URL for the same ids is recorded").isTrue();
    }

    @Test
    void aRegistryThatKnowsNotThePrefixsIdsIsRefused() throws Exception {
        RegistryClient registry = registry(Map.of(1, A));
        Map<Integer, Long> known = Map.of(1, SingleObjectCodec.fingerprint64(A), 7, SingleObjectCodec.fingerprint64(B));
        assertThatThrownBy(() -> identity(known, OLD_URL).verify(registry))
                .isInstanceOfSatisfying(PgkbException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .message().doesNotContain("\n").contains("topic prefix app", OLD_URL, server.url() + " knows no id 7",
                        "one registry", "--topic-prefix");
    }

    @Test
    void aRegistryThatGivesAnIdToAnotherSchemaIsRefused() throws Exception {
        RegistryClient registry = registry(Map.of(1, B));
        assertThatThrownBy(() -> identity(Map.of(1, SingleObjectCodec.fingerprint64(A)), null).verify(registry))
                .isInstanceOfSatisfying(PgkbException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .message().doesNotContain("\n").contains("gives id 1 to schema io.pgkb.tables.app.B",
                        "registry it was first produced with");
    }

    @Test
    void anIdHandedOutLaterMustNotNameAnotherSchemaThanTheArchiveRecords() throws Exception {
        registry(Map.of());
        RegistryIdentity identity = identity(Map.of(1, SingleObjectCodec.fingerprint64(A)), server.url());
        identity.accept(1, SingleObjectCodec.fingerprint64(A));
        identity.accept(2, SingleObjectCodec.fingerprint64(B));
        assertThatThrownBy(() -> identity.accept(2, SingleObjectCodec.fingerprint64(A)))
                .isInstanceOfSatisfying(PgkbException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("gives id 2 to schema " + SingleObjectCodec.fingerprint(A));
    }

    @Test
    void manyIdsAreSampledOldestNewestAndBetween() throws Exception {
        registry(Map.of());
        Map<Integer, Long> known = new HashMap<>();
        IntStream.rangeClosed(1, 1000).forEach(i -> known.put(i * 3, (long) i));
        List<Integer> sample = identity(known, null).sample();
        assertThat(sample).hasSize(RegistryIdentity.SAMPLE).contains(3, 3000).isSorted().doesNotHaveDuplicates();
    }
}
