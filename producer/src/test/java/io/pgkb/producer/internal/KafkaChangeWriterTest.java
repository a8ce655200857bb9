package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.Lsn;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KafkaChangeWriterTest {
    @Test
    void lsnHeaderBytesAreTheLsnText() {
        long[] edges = {0L, 1L, 0xFL, 0x10L, 0xFFFFFFFFL, 0x1_0000_0000L, 0x1_0000_0001L, 0xABCDEF01_23456789L, -1L, Long.MIN_VALUE};
        for (long lsn : edges) {
            assertThat(new String(KafkaChangeWriter.lsnBytes(lsn), StandardCharsets.UTF_8)).isEqualTo(Lsn.of(lsn).toString());
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long lsn = r.nextLong() >>> r.nextInt(64);
            assertThat(new String(KafkaChangeWriter.lsnBytes(lsn), StandardCharsets.UTF_8)).isEqualTo(Lsn.of(lsn).toString());
        }
    }
}
