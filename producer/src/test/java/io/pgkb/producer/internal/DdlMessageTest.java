package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.DdlEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Both message formats of the event trigger give the same DDL record columns (format 2 takes them from the definition). */
class DdlMessageTest {
    private static final String DEFINITION = "{\"format_version\":1,\"schema\":\"public\",\"table\":\"t\",\"columns\":["
            + "{\"name\":\"id\",\"attnum\":1,\"type\":\"integer\",\"has_missing\":false,\"missing\":null},"
            + "{\"name\":\"c d\",\"attnum\":3,\"type\":\"text\",\"has_missing\":true,\"missing\":\"{\\\"x, \\\\\\\"y\\\\\\\"\\\"}\"}]}";

    private static DdlMessage parse(String json) {
        return DdlMessage.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void formatTwoTakesTheColumnsFromTheDefinition() {
        DdlMessage v1 = parse("{\"v\":1,\"oid\":7,\"schema\":\"public\",\"table\":\"t\",\"tag\":\"ALTER TABLE\",\"rewrite\":false,"
                + "\"dropped\":false,\"pubs\":[\"p\"],\"columns\":[{\"n\":1,\"name\":\"id\",\"type\":\"integer\",\"missing\":null},"
                + "{\"n\":3,\"name\":\"c d\",\"type\":\"text\",\"missing\":\"x, \\\"y\\\"\"}],\"definition\":" + DEFINITION + "}");
        DdlMessage v2 = parse("{\"v\":2,\"oid\":7,\"schema\":\"public\",\"table\":\"t\",\"tag\":\"ALTER TABLE\",\"rewrite\":false,"
                + "\"dropped\":false,\"pubs\":[\"p\"],\"definition\":" + DEFINITION + "}");
        assertThat(v2.columns()).containsExactly(new DdlEvent.Column(1, "id", "integer", null), new DdlEvent.Column(3, "c d", "text", "x, \"y\""));
        assertThat(v2).isEqualTo(v1);
    }

    @Test
    void formatTwoOfADroppedTableHasNoColumnsAndOtherVersionsAreRefused() {
        assertThat(parse("{\"v\":2,\"oid\":7,\"schema\":\"public\",\"table\":\"t\",\"tag\":\"DROP TABLE\",\"dropped\":true,"
                + "\"pubs\":null,\"definition\":null}").columns()).isEmpty();
        assertThatThrownBy(() -> parse("{\"v\":2,\"oid\":7,\"schema\":\"public\",\"table\":\"t\",\"tag\":\"ALTER TABLE\",\"definition\":null}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("{\"v\":3,\"oid\":7,\"schema\":\"public\",\"table\":\"t\"}")).isInstanceOf(IllegalArgumentException.class);
    }
}
