package io.pgkb.store.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.store.catalog.ProgressRecord.Kind;
import io.pgkb.store.catalog.ProgressRecord.PartitionOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressIndexTest {
    private static final String T = "pgkb.public.acc";
    private static final String OTHER = "pgkb.public.other";

    private static ProgressRecord confirm(long off, long confirmed, long lastCommit, long time, PartitionOffset... po) {
        return ProgressRecord.confirm(off, confirmed, lastCommit, time, List.of(po));
    }

    private static PartitionOffset po(String topic, int p, long next) {
        return new PartitionOffset(topic, p, next);
    }

    // confirmed 100 (commit 90), 200 (commit 190), 300 (commit 290); partition 1 first written at the second.
    private final ProgressIndex index = new ProgressIndex(List.of(
            confirm(0, 100, 90, 1_000, po(T, 0, 5)),
            confirm(1, 200, 190, 2_000, po(T, 0, 9), po(T, 1, 3), po(OTHER, 0, 7)),
            new ProgressRecord(2, Kind.MARK, 200, 190, 2_000, List.of(), "before-migration", 190, 0, "pgkb", 2_000),
            confirm(3, 300, 290, 3_000, po(T, 1, 4)),
            confirm(4, 300, 290, 3_000)));

    @Test
    void replayStartsAtNewestConfirmAtOrBeforeTheDump() {
        assertThat(index.replayStart(T, 99)).isEmpty();
        assertThat(index.replayStart(T, 100)).containsExactly(Map.entry(0, 5L));
        assertThat(index.replayStart(T, 250)).containsExactly(Map.entry(0, 9L), Map.entry(1, 3L));
        // cumulative: partition 0 is not in the third record but keeps its offset
        assertThat(index.replayStart(T, 300)).containsExactly(Map.entry(0, 9L), Map.entry(1, 4L));
    }

    @Test
    void boundIsFirstConfirmStrictlyAfterTheTarget() {
        assertThat(index.bound(T, 99)).contains(Map.of(0, 5L));
        // a transaction may commit exactly at a confirmed LSN, so confirmed == T does not bound T
        assertThat(index.bound(T, 100)).contains(Map.of(0, 9L, 1, 3L));
        assertThat(index.bound(T, 299)).contains(Map.of(0, 9L, 1, 4L));
        assertThat(index.bound(T, 300)).isEmpty();
        assertThat(index.covers(299)).isTrue();
        assertThat(index.covers(300)).isFalse();
    }

    @Test
    void marksLatestAndTime() {
        assertThat(index.marks()).containsExactly(Map.entry("before-migration", 190L));
        assertThat(index.latest()).hasValue(290);
        var w = index.timeWindow(2_500, List.of(T)).orElseThrow();
        assertThat(w.lastCommitLsn()).isEqualTo(190);
        assertThat(w.from().get(T)).isEqualTo(Map.of(0, 9L, 1, 3L));
        assertThat(w.to().get(T)).isEqualTo(Map.of(0, 9L, 1, 4L));
        assertThat(index.timeWindow(3_000, List.of(T))).isEmpty();
        assertThat(index.timeWindow(500, List.of(T)).orElseThrow().lastCommitLsn()).isZero();
    }

    @Test
    void gapsMakeCrossingReplaysUnreachable() {
        ProgressIndex withGap = new ProgressIndex(List.of(
                confirm(0, 100, 90, 1_000, po(T, 0, 5)),
                new ProgressRecord(1, Kind.GAP, 500, 0, 0, List.of(), null, 0, 100, "pgkb", 0),
                confirm(2, 600, 550, 6_000, po(T, 0, 8))));
        assertThat(withGap.gapCrossing(50, 90)).isEmpty();
        assertThat(withGap.gapCrossing(50, 550)).isPresent();
        assertThat(withGap.gapCrossing(200, 300)).isPresent();
        assertThat(withGap.gapCrossing(500, 550)).isEmpty();
    }
}
