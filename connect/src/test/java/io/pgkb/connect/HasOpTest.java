package io.pgkb.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class HasOpTest {
    private static SinkRecord withOp(Object op) {
        ConnectHeaders h = new ConnectHeaders();
        if (op instanceof String s) {
            h.addString("pgkb.op", s);
        } else if (op instanceof byte[] b) {
            h.addBytes("pgkb.op", b);
        }
        return new SinkRecord("pgkb.public.t", 0, null, null, null, null, 0, 0L, null, h);
    }

    @Test
    void matchesTheListedOpsOfThePgkbOpHeaderOnly() {
        try (HasOp<SinkRecord> p = new HasOp<>()) {
            p.configure(Map.of("ops", "TRUNCATE, DDL"));
            assertThat(p.test(withOp("TRUNCATE"))).isTrue();
            assertThat(p.test(withOp("DDL"))).isTrue();
            assertThat(p.test(withOp("TRUNCATE".getBytes(StandardCharsets.UTF_8)))).as("header left as bytes").isTrue();
            assertThat(p.test(withOp("INSERT"))).isFalse();
            assertThat(p.test(withOp("DELETE"))).isFalse();
            assertThat(p.test(withOp(null))).as("no header").isFalse();
        }
    }

    @Test
    void opsAreRequired() {
        try (HasOp<SinkRecord> p = new HasOp<>()) {
            assertThatThrownBy(() -> p.configure(Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("ops");
        }
    }
}
