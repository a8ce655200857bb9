package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.store.catalog.SegmentRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoverageTest {
    private static SegmentRef seg(long a, long b) {
        return new SegmentRef(0, a, b, a + "-" + b, 1);
    }

    @Test
    void overlappingObjectsAreTakenOnceAndGapsNamed() {
        List<SegmentRef> refs = List.of(seg(0, 9), seg(5, 19), seg(10, 19), seg(25, 30));
        Coverage c = Coverage.of(refs, 3, 28);
        assertThat(c.segments()).extracting(SegmentRef::key).containsExactly("0-9", "5-19", "25-30");
        assertThat(Coverage.describe(c.missing())).isEqualTo("20-24");
        assertThat(Coverage.of(refs, 0, 20).complete()).isTrue();
        assertThat(Coverage.describe(Coverage.of(refs, 0, 35).missing())).isEqualTo("20-24, 31-34");
        assertThat(Coverage.of(List.of(), 4, 4).complete()).isTrue();
    }

    @Test
    void whatTheArchiveLacksComesFromKafkaAboveItsLogStartOnly() {
        List<SegmentRef> refs = List.of(seg(0, 9), seg(25, 30));
        Coverage c = Coverage.of(refs, 0, 40).withKafka(22, 38);
        assertThat(Coverage.describe(c.missing())).isEqualTo("10-21, 38-39");
        assertThat(Coverage.describe(c.kafka())).isEqualTo("22-24, 31-37");
        assertThat(c.pieces()).extracting(Piece::first).containsExactly(0L, 10L, 22L, 25L, 31L, 38L);
        assertThat(Coverage.of(refs, 0, 40).withKafka(0, 40).complete()).isTrue();
    }
}
