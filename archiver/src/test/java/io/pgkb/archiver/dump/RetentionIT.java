package io.pgkb.archiver.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on a real filesystem archive holding segments, archived progress records and dumps: old dumps go,
 * and exactly the segments below the oldest retained dump's replay start go — never one a retained dump needs.
 */
class RetentionIT {
    private static final String PREFIX = "pgkb";
    private static final TableId T = new TableId("public", "orders");
    private static final ArchiveLayout LAYOUT = new ArchiveLayout(PREFIX);
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    @TempDir
    Path dir;
    @TempDir
    Path spool;

    private FileSystemStore store;

    @BeforeEach
    void archive() throws Exception {
        store = new FileSystemStore(dir);
        String topic = T.topic(PREFIX);
        // table segments: partition 0 offsets 0-39, partition 1 offsets 0-24, partition 2 (never in progress) 0-9
        segment(0, 0, 9);
        segment(0, 10, 19);
        segment(0, 20, 29);
        segment(0, 30, 39);
        segment(1, 0, 4);
        segment(1, 5, 14);
        segment(1, 15, 24);
        segment(2, 0, 9);
        // progress: cumulative next offsets; a record lists only partitions written since the previous one
        List<GenericRecord> progress = List.of(
                confirm(0x100, po(topic, 0, 10), po(topic, 1, 5)),
                confirm(0x200, po(topic, 0, 20), po("pgkb.public.other", 0, 999)),
                mark("m1", 0x250),
                confirm(0x300, po(topic, 0, 30), po(topic, 1, 15)),
                confirm(0x400, po(topic, 1, 25), po(topic, 0, 40)));
        progressSegment(0, progress.subList(0, 2));
        progressSegment(2, progress.subList(2, 5));
        // finished dumps at 0/150 (3h old), 0/250 (2h), 0/300 exactly at a CONFIRM (1h), 0/350 (10 min)
        dump(0x150, NOW.minus(Duration.ofHours(3)));
        dump(0x250, NOW.minus(Duration.ofHours(2)));
        dump(0x300, NOW.minus(Duration.ofHours(1)));
        dump(0x350, NOW.minus(Duration.ofMinutes(10)));
        // unfinished dumps: an old crashed one, and one newer than every finished dump (may be in progress)
        store.put(LAYOUT.dumpData(T, Lsn.of(0x120)), new byte[] {1});
        store.put(LAYOUT.dumpData(T, Lsn.of(0x500)), new byte[] {1});
    }

    @Test
    void keepsNewestTwoAndDeletesExactlyTheSegmentsBelowTheOldestRetainedReplayStart() throws Exception {
        RetentionReport r = new Retention(store, PREFIX, new RetentionPolicy(2, null)).applyAll(NOW).get(0);

        assertThat(r.retainedDumps()).containsExactly(Lsn.of(0x300), Lsn.of(0x350));
        assertThat(r.deletedDumps()).containsExactly(Lsn.of(0x150), Lsn.of(0x250));
        assertThat(store.list(LAYOUT.dumpDir(T, Lsn.of(0x150)))).isEmpty();
        assertThat(store.list(LAYOUT.dumpDir(T, Lsn.of(0x250)))).isEmpty();
        assertThat(store.exists(LAYOUT.dumpManifest(T, Lsn.of(0x300)))).isTrue();
        assertThat(store.exists(LAYOUT.dumpData(T, Lsn.of(0x300)))).isTrue();
        // crashed dump below the newest finished one is garbage; the newer unfinished one may be in progress
        assertThat(store.exists(LAYOUT.dumpData(T, Lsn.of(0x120)))).isFalse();
        assertThat(store.exists(LAYOUT.dumpData(T, Lsn.of(0x500)))).isTrue();

        // oldest retained D = 0/300: CONFIRM 0/300 itself counts (confirmed_lsn <= D): p0 starts at 30, p1 at 15
        assertThat(r.replayStart()).isEqualTo(Map.of(0, 30L, 1, 15L));
        assertThat(segments()).isEqualTo(Map.of(
                0, List.of("30-39"),
                1, List.of("15-24"),
                2, List.of("0-9")));
        assertEveryRetainedDumpCanReplay();
    }

    @Test
    void keepsDumpsWithinTheTimeWindowAndReRunDeletesNothingMore() throws Exception {
        Retention retention = new Retention(store, PREFIX, new RetentionPolicy(0, Duration.ofMinutes(150)));
        RetentionReport r = retention.applyAll(NOW).get(0);
        assertThat(r.retainedDumps()).containsExactly(Lsn.of(0x250), Lsn.of(0x300), Lsn.of(0x350));
        // oldest retained D = 0/250: newest CONFIRM <= it is 0/200 -> p0 20, p1 5 (from 0/100, cumulative)
        assertThat(r.replayStart()).isEqualTo(Map.of(0, 20L, 1, 5L));
        assertThat(segments()).isEqualTo(Map.of(
                0, List.of("20-29", "30-39"),
                1, List.of("5-14", "15-24"),
                2, List.of("0-9")));
        assertEveryRetainedDumpCanReplay();

        RetentionReport again = retention.applyAll(NOW).get(0);
        assertThat(again.deletedDumps()).isEmpty();
        assertThat(again.deletedSegments()).isEmpty();
    }

    @Test
    void unreadableProgressDeletesNoSegment() throws Exception {
        // a hole in the archived progress (offsets 0-1 missing) makes replay starts unprovable
        store.delete(LAYOUT.progressSegmentsDir(0) + ArchiveLayout.segmentName(0, 1));
        RetentionReport r = new Retention(store, PREFIX, new RetentionPolicy(1, null)).applyAll(NOW).get(0);
        assertThat(r.deletedDumps()).hasSize(3);
        assertThat(r.deletedSegments()).isEmpty();
        assertThat(segments().values().stream().mapToInt(List::size).sum()).isEqualTo(8);
    }

    @Test
    void withoutARuleNothingIsDeleted() throws Exception {
        assertThat(new Retention(store, PREFIX, RetentionPolicy.KEEP_ALL).applyAll(NOW)).isEmpty();
        assertThat(segments().values().stream().mapToInt(List::size).sum()).isEqualTo(8);
        assertThat(store.exists(LAYOUT.dumpData(T, Lsn.of(0x120)))).isTrue();
    }

    /** Independent check: from each retained dump's replay start, every offset up to the last archived one is present. */
    private void assertEveryRetainedDumpCanReplay() throws IOException {
        Map<Integer, List<String>> segs = segments();
        Map<Long, Map<Integer, Long>> startByDump = Map.of(0x250L, Map.of(0, 20L, 1, 5L), 0x300L, Map.of(0, 30L, 1, 15L),
                0x350L, Map.of(0, 30L, 1, 15L));
        Map<Integer, Long> lastOffset = Map.of(0, 39L, 1, 24L, 2, 9L);
        for (var d : store.list(LAYOUT.dumpsDir(T))) {
            if (!d.key().endsWith("manifest.json")) {
                continue;
            }
            long lsn = Lsn.fromHex16(d.key().substring(LAYOUT.dumpsDir(T).length(), LAYOUT.dumpsDir(T).length() + 16)).asLong();
            for (int p = 0; p <= 2; p++) {
                long next = startByDump.get(lsn).getOrDefault(p, 0L);
                for (String s : segs.get(p)) {
                    long first = Long.parseLong(s.split("-")[0]);
                    long last = Long.parseLong(s.split("-")[1]);
                    if (last >= next) {
                        assertThat(first).as("dump %x partition %d: offset %d missing", lsn, p, next).isLessThanOrEqualTo(next);
                        next = last + 1;
                    }
                }
                assertThat(next).isEqualTo(lastOffset.get(p) + 1);
            }
        }
    }

    private Map<Integer, List<String>> segments() throws IOException {
        Map<Integer, List<String>> out = new TreeMap<>();
        String root = LAYOUT.segmentsRoot(T);
        for (var o : store.list(root)) {
            String[] parts = o.key().substring(root.length()).split("/");
            long[] range = ArchiveLayout.parseSegmentName(parts[1]);
            out.computeIfAbsent(Integer.parseInt(parts[0]), k -> new ArrayList<>()).add(range[0] + "-" + range[1]);
        }
        return out;
    }

    private void segment(int partition, long first, long last) throws IOException {
        List<ArchivedRecord> recs = new ArrayList<>();
        for (long o = first; o <= last; o++) {
            recs.add(new ArchivedRecord(o, 0L, null, new byte[] {(byte) o}, List.of(), 0x100 + o, 0));
        }
        write(T.topic(PREFIX), partition, LAYOUT.segmentsDir(T, partition) + ArchiveLayout.segmentName(first, last), recs);
    }

    private void progressSegment(long firstOffset, List<GenericRecord> records) throws IOException {
        BinaryMessageEncoder<GenericRecord> enc = new BinaryMessageEncoder<>(GenericData.get(), PROGRESS);
        List<ArchivedRecord> recs = new ArrayList<>();
        long o = firstOffset;
        for (GenericRecord r : records) {
            recs.add(new ArchivedRecord(o++, 0L, null, enc.encode(r).array(), List.of(), (Long) r.get("confirmed_lsn"), 0));
        }
        long last = o - 1;
        write(PREFIX + "._progress", 0, LAYOUT.progressSegmentsDir(0) + ArchiveLayout.segmentName(firstOffset, last), recs);
    }

    private void write(String topic, int partition, String key, List<ArchivedRecord> recs) throws IOException {
        try (SegmentWriter w = new SegmentWriter(spool.resolve("spool-" + System.nanoTime()), topic, partition);
             ObjectStore.ObjectWriter out = store.create(key)) {
            for (ArchivedRecord r : recs) {
                w.append(r);
            }
            w.finish(out);
            out.commit();
        }
    }

    private void dump(long lsn, Instant takenAt) throws IOException {
        Lsn d = Lsn.of(lsn);
        store.put(LAYOUT.dumpData(T, d), new byte[] {0});
        DumpManifest m = new DumpManifest(DumpManifest.FORMAT_VERSION, T.schema(), T.table(), d.toString(), d.asLong(), "s",
                "17", 170000, takenAt.toString(), List.of(new DumpManifest.Column("id", "integer", 23, true, 1)),
                List.of("id"), 0, LAYOUT.dumpData(T, d), DumpFormat.DATA_FORMAT, 1, 0, "00", DumpFormat.SESSION_SETTINGS);
        store.put(LAYOUT.dumpManifest(T, d), m.toJson());
    }

    private static final Schema PROGRESS = loadProgress();

    private static Schema loadProgress() {
        try (InputStream in = RetentionIT.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GenericRecord po(String topic, int partition, long next) {
        GenericRecord r = new GenericData.Record(PROGRESS.getField("offsets").schema().getElementType());
        r.put("topic", topic);
        r.put("partition", partition);
        r.put("next_offset", next);
        return r;
    }

    private static GenericRecord confirm(long lsn, GenericRecord... offsets) {
        return progress("CONFIRM", lsn, List.of(offsets), null);
    }

    private static GenericRecord mark(String name, long lsn) {
        GenericRecord r = progress("MARK", lsn, List.of(), name);
        r.put("mark_lsn", lsn);
        return r;
    }

    private static GenericRecord progress(String kind, long lsn, List<GenericRecord> offsets, String mark) {
        GenericRecord r = new GenericData.Record(PROGRESS);
        r.put("kind", new GenericData.EnumSymbol(PROGRESS.getField("kind").schema(), kind));
        r.put("confirmed_lsn", lsn);
        r.put("last_commit_lsn", lsn - 1);
        r.put("commit_time", 0L);
        r.put("offsets", offsets);
        r.put("mark", mark);
        r.put("slot", "pgkb");
        r.put("written_at", 0L);
        return r;
    }
}
