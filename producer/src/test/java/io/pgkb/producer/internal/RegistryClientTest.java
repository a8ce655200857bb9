package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import io.pgkb.producer.SchemaRegistrySettings;
import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client against a scripted HTTP server: what it sends (subject, schema, basic auth), the id it takes,
 * a failing registry waited out, an incompatible subject and refused credentials as one-line exit-2 errors.
 * {@code RegistryModeIT} runs it against a real registry.
 */
class RegistryClientTest {
    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}");
    private ScriptedRegistry server;

    @TempDir
    Path dir;

    private String start(ScriptedRegistry.Handler handler) throws IOException {
        server = new ScriptedRegistry(handler);
        return server.url();
    }

    private static void answer(HttpExchange ex, int code, String body) throws IOException {
        ScriptedRegistry.answer(ex, code, body);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void registersUnderTheSubjectWithBasicAuthAndWaitsOutServerErrors() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String url = start((ex, body) -> answer(ex, calls.incrementAndGet() < 3 ? 503 : 200, calls.get() < 3 ? "busy" : "{\"id\":42}"));
        Path config = dir.resolve("registry.properties");
        Files.writeString(config, "basic.auth.user.info=svc:s3cret\n");
        RegistryClient client = new RegistryClient(SchemaRegistrySettings.parse(url, config), () -> false);
        assertThat(client.register("pgkb.app.t-value", SCHEMA)).isEqualTo(42);
        assertThat(server.requests).hasSize(3);
        assertThat(server.requests.get(2)).startsWith("POST /apis/ccompat/v7/subjects/pgkb.app.t-value/versions auth=Basic c3ZjOnMzY3JldA== ")
                .contains("\"schema\":\"{\\\"type\\\":\\\"record\\\"");
    }

    @Test
    void anIncompatibleSubjectNamesItsRuleAndTheFix() throws Exception {
        String url = start((ex, body) -> {
            if (ex.getRequestURI().getPath().startsWith("/apis/ccompat/v7/config/")) {
                answer(ex, 200, "{\"compatibilityLevel\":\"BACKWARD\"}");
            } else {
                answer(ex, 409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}");
            }
        });
        RegistryClient client = new RegistryClient(SchemaRegistrySettings.of(url), () -> false);
        assertThatThrownBy(() -> client.register("pgkb.app.t-value", SCHEMA))
                .isInstanceOfSatisfying(PgkbException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .message().doesNotContain("\n").contains("subject pgkb.app.t-value", "rule BACKWARD", "NONE", "incompatible");
    }

    @Test
    void refusedCredentialsAreExit2AndNeverShown() throws Exception {
        String url = start((ex, body) -> answer(ex, 401, "{\"error_code\":401}"));
        Path config = dir.resolve("registry.properties");
        Files.writeString(config, "basic.auth.user.info=svc:s3cret\n");
        RegistryClient client = new RegistryClient(SchemaRegistrySettings.parse(url, config), () -> false);
        assertThatThrownBy(() -> client.register("s-value", SCHEMA))
                .isInstanceOfSatisfying(PgkbException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .message().contains("basic.auth.user.info").doesNotContain("s3cret");
    }

    @Test
    void anUnreachableRegistryIsWaitedForUntilTheProducerStops() {
        AtomicInteger asked = new AtomicInteger();
        RegistryClient client = new RegistryClient(SchemaRegistrySettings.of("http://127.0.0.1:1/apis/ccompat/v7"),
                () -> asked.incrementAndGet() > 2);
        assertThatThrownBy(() -> client.register("s-value", SCHEMA)).isInstanceOf(PgkbException.RetriableException.class)
                .hasMessageContaining("stopped while waiting for schema registry http://127.0.0.1:1/apis/ccompat/v7");
        assertThat(asked.get()).isEqualTo(3);
    }

    @Test
    void settingsAreCheckedWithTheOptionNamed() throws Exception {
        assertThatThrownBy(() -> SchemaRegistrySettings.of("ftp://x")).hasMessageContaining("--schema-registry");
        assertThatThrownBy(() -> SchemaRegistrySettings.of("http://u:p@registry:8081")).hasMessageContaining("not in the URL");
        Path config = dir.resolve("bad.properties");
        Files.writeString(config, "schema.registry.url=http://x\n");
        assertThatThrownBy(() -> SchemaRegistrySettings.parse("http://registry:8081", config))
                .hasMessageContaining("unknown setting 'schema.registry.url'");
    }
}
