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
}
