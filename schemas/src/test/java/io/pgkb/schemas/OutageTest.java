package io.pgkb.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutageTest {
    private static final long S = 1_000_000_000L;

    @Test
    void saysItOnceWhenItStartsOnceAMinuteWhileItLastsAndHowLongWhenItEnds() {
        Outage o = new Outage();
        long t0 = 5 * S;
        assertThat(o.ended(t0)).as("no outage: nothing to say").isEqualTo(-1);
        assertThat(o.failed(t0)).isEqualTo(Outage.Say.STARTED);
        for (long t = t0 + 2 * S; t < t0 + 60 * S; t += 2 * S) { // a retry every 2 s
            assertThat(o.failed(t)).isEqualTo(Outage.Say.NOTHING);
        }
        assertThat(o.failed(t0 + 60 * S)).isEqualTo(Outage.Say.STILL);
        assertThat(o.seconds(t0 + 60 * S)).isEqualTo(60);
        assertThat(o.failed(t0 + 62 * S)).isEqualTo(Outage.Say.NOTHING);
        assertThat(o.failed(t0 + 121 * S)).isEqualTo(Outage.Say.STILL);
        assertThat(o.ongoing()).isTrue();

        assertThat(o.ended(t0 + 130 * S)).isEqualTo(130);
        assertThat(o.ongoing()).isFalse();
        assertThat(o.ended(t0 + 131 * S)).as("said once").isEqualTo(-1);
        assertThat(o.failed(t0 + 140 * S)).as("the next failure is a new outage").isEqualTo(Outage.Say.STARTED);
        assertThat(o.seconds(t0 + 141 * S)).isEqualTo(1);
    }

    @Test
    void theIntervalCanBeChosen() {
        Outage o = new Outage(Duration.ofSeconds(10));
        assertThat(o.failed(0)).isEqualTo(Outage.Say.STARTED);
        assertThat(o.failed(9 * S)).isEqualTo(Outage.Say.NOTHING);
        assertThat(o.failed(10 * S)).isEqualTo(Outage.Say.STILL);
    }
}
