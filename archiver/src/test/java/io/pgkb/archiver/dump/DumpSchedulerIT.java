package io.pgkb.archiver.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RealServices
class DumpSchedulerIT {
    private static final String PREFIX = "pgkb";
    private static final ArchiveLayout LAYOUT = new ArchiveLayout(PREFIX);
    private static final TableId A = new TableId("public", "a");
    private static final TableId B = new TableId("public", "b");
    private static TestDatabase db;

    @TempDir
    Path dir;
    @TempDir
    Path spool;

    @BeforeAll
    static void start(TestDatabase database) throws Exception {
        db = database;
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE a (id int PRIMARY KEY)");
            st.execute("INSERT INTO a SELECT generate_series(1, 100)");
            st.execute("CREATE TABLE b (id int PRIMARY KEY)");
        }
    }

    @Test
    void dumpsNewTablesThenByChangesAndIntervalOneAtATimeAndPrunes() throws Exception {
        PgUrl url = PgUrl.parse(db.uri());
        try (FileSystemStore store = new FileSystemStore(dir)) {
            ArchiveCatalog catalog = new ArchiveCatalog(store, LAYOUT);
            segment(store, A, 0, 0, 9, 0x10);
            DumpPolicy policy = new DumpPolicy(Duration.ofHours(24), 5, Duration.ofSeconds(1), new RetentionPolicy(1, null));
            DumpScheduler scheduler = new DumpScheduler(url, store, PREFIX, policy).withTableSource(() -> List.of(B));

            // first appearance: a has segments, b only a topic; both get a dump
            List<DumpResult> first = scheduler.runOnce();
            assertThat(first).hasSize(2);
            assertThat(catalog.dumps(A)).hasSize(1);
            assertThat(catalog.dumps(B)).hasSize(1);
            Lsn d1 = catalog.dumps(A).get(0).lsn();

            // nothing due: no new dump
            assertThat(scheduler.runOnce()).isEmpty();

            // another process holds a's dump lock: a is skipped even when due
            segment(store, A, 0, 10, 19, d1.asLong() + 1);
            try (DumpLock other = DumpLock.connect(url)) {
                assertThat(other.tryLock(PREFIX, List.of(A))).isTrue();
                assertThat(scheduler.runOnce()).isEmpty();
            }

            // 10 changes with commit_lsn >= D1 >= 5: dumped again; retention keeps only the newest
            List<DumpResult> byChanges = scheduler.runOnce();
            assertThat(byChanges).extracting(r -> r.manifests().get(0).tableId()).containsExactly(A);
            List<DumpRef> dumpsOfA = catalog.dumps(A);
            assertThat(dumpsOfA).hasSize(1);
            assertThat(dumpsOfA.get(0).lsn()).isGreaterThan(d1);

            // a day later both are due by interval
            scheduler.withClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(25)));
            List<DumpResult> byInterval = scheduler.runOnce();
            List<TableId> dumped = new ArrayList<>();
            byInterval.forEach(r -> dumped.add(r.manifests().get(0).tableId()));
            assertThat(dumped).containsExactlyInAnyOrder(A, B);
        }
    }

    @Test
    void missingTableIsRetriedLaterWithoutStoppingOthers() throws Exception {
        PgUrl url = PgUrl.parse(db.uri());
        try (FileSystemStore store = new FileSystemStore(dir)) {
            TableId gone = new TableId("public", "gone");
            DumpPolicy policy = new DumpPolicy(null, 0, Duration.ofSeconds(1), RetentionPolicy.KEEP_ALL);
            DumpScheduler scheduler = new DumpScheduler(url, store, PREFIX, policy).withTableSource(() -> List.of(gone, A));
            List<DumpResult> r = scheduler.runOnce();
            assertThat(r).extracting(x -> x.manifests().get(0).tableId()).containsExactly(A);
            assertThat(store.list(LAYOUT.tableRoot(gone))).isEmpty();
        }
    }

    @Test
    void concurrentArchiversDumpANewTableExactlyOnce() throws Exception {
        db.execute("CREATE TABLE c (id int PRIMARY KEY)", "INSERT INTO c SELECT generate_series(1, 50000)");
        TableId c = new TableId("public", "c");
        PgUrl url = PgUrl.parse(db.uri());
        DumpPolicy policy = new DumpPolicy(Duration.ofHours(24), 0, Duration.ofSeconds(1), RetentionPolicy.KEEP_ALL);
        List<Thread> archivers = new ArrayList<>();
        List<Integer> dumpsTaken = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier go = new CyclicBarrier(4);
        try (FileSystemStore store = new FileSystemStore(dir)) {
            for (int i = 0; i < 4; i++) {
                DumpScheduler s = new DumpScheduler(url, store, PREFIX, policy).withTableSource(() -> List.of(c));
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        dumpsTaken.add(s.runOnce().size());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                archivers.add(t);
                t.start();
            }
            for (Thread t : archivers) {
                t.join();
            }
            assertThat(dumpsTaken).hasSize(4);
            assertThat(dumpsTaken.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
            assertThat(new ArchiveCatalog(store, LAYOUT).dumps(c)).hasSize(1);
        }
    }

    private void segment(ObjectStore store, TableId t, int partition, long first, long last, long commitLsn) throws IOException {
        try (SegmentWriter w = new SegmentWriter(spool.resolve("s" + System.nanoTime()), t.topic(PREFIX), partition);
             ObjectStore.ObjectWriter out = store.create(LAYOUT.segmentsDir(t, partition) + ArchiveLayout.segmentName(first, last))) {
            for (long o = first; o <= last; o++) {
                w.append(new ArchivedRecord(o, 0L, null, new byte[] {1}, List.of(), commitLsn, 0));
            }
            w.finish(out);
            out.commit();
        }
    }
}
