package io.pgkb.archiver.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.FileSystemStore;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the dump boundary of DESIGN §5 on a real server: while four sessions commit as fast as they can, each
 * transaction inserting one distinct number, a dump is taken at D; a pgoutput slot created before the workload
 * tells the commit LSN of every transaction (BEGIN's final_lsn). Every number must be in exactly one of {the
 * dump, the transactions with commit_lsn ≥ D}.
 */
@RealServices
class DumpBoundaryIT {
    private static final int WRITERS = 4;
    private static TestDatabase db;

    @TempDir
    Path archive;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @Test
    void everyCommittedNumberIsInExactlyOneOfDumpAndLaterChanges() throws Exception {
        for (int round = 1; round <= 3; round++) {
            try {
                runRound(round);
            } finally {
                // a slot left behind would hold WAL for every later test of this JVM
                db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                        + "WHERE slot_name = 'boundary_" + round + "'");
            }
        }
    }

    private void runRound(int round) throws Exception {
        String table = "seq_" + round;
        String slot = "boundary_" + round;
        String pub = "boundary_pub_" + round;
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (n bigint PRIMARY KEY, writer int NOT NULL)");
            st.execute("CREATE PUBLICATION " + pub + " FOR TABLE " + table);
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        long[] lastCommitted = new long[WRITERS];
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            lastCommitted[w] = -1;
            Thread t = new Thread(() -> {
                try (Connection c = db.connect();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (n, writer) VALUES (?, ?)")) {
                    for (long n = writer; !stop.get(); n += WRITERS) {
                        ps.setLong(1, n);
                        ps.setInt(2, writer);
                        ps.executeUpdate();
                        lastCommitted[writer] = n;
                        committed.incrementAndGet();
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "writer-" + w);
            writers.add(t);
            t.start();
        }

        DumpResult result;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> committed.get() >= 500);
            try (FileSystemStore store = new FileSystemStore(archive)) {
                result = new DumpTaker(PgUrl.parse(db.uri()), store, new ArchiveLayout("pgkb"))
                        .take(List.of(new TableId("public", table)), DumpListener.NONE);
            }
            long atDump = committed.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> committed.get() >= atDump + 500);
        } finally {
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertThat(failures).isEmpty();

        Lsn d = result.consistentPoint();
        DumpManifest manifest = result.manifests().get(0);
        Set<Long> dumped = readDump(manifest);
        Set<Long> all = new HashSet<>();
        for (int w = 0; w < WRITERS; w++) {
            for (long n = w; n <= lastCommitted[w]; n += WRITERS) {
                all.add(n);
            }
        }
        // the test server commits asynchronously (synchronous_commit=off) and decoding stops at the flushed WAL:
        // the newest commits become decodable once the WAL writer flushed them
        Map<Long, Long> commitLsnOf = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> commitLsns(slot, pub), m -> m.keySet().containsAll(all));
        // set differences, not AssertJ's containsAll/isSubsetOf: those compare element by element (n², 28 s for the
        // ~40 000 commits of a first round on a loaded machine)
        assertThat(minus(all, commitLsnOf.keySet())).as("round %d: committed numbers the slot did not see", round).isEmpty();
        Set<Long> replayed = new HashSet<>();
        List<String> violations = new ArrayList<>();
        for (long n : all) {
            boolean after = Lsn.compare(commitLsnOf.get(n), d.asLong()) >= 0;
            if (after) {
                replayed.add(n);
            }
            if (after == dumped.contains(n)) {
                violations.add(n + " commit_lsn=" + Lsn.of(commitLsnOf.get(n)) + (after ? " also in dump" : " missing from dump"));
            }
        }
        assertThat(violations).as("round %d, D=%s", round, d).isEmpty();
        assertThat(minus(dumped, all)).as("round %d: numbers in the dump that were never committed", round).isEmpty();
        // the dump must really have cut through the workload, else the test proves nothing
        assertThat(dumped).as("round %d: dump has rows", round).isNotEmpty();
        assertThat(replayed).as("round %d: commits at or after D exist", round).isNotEmpty();
        assertThat(manifest.rowCount()).isEqualTo(dumped.size());
        assertThat(manifest.primaryKey()).containsExactly("n");
        assertThat(manifest.columns()).extracting(DumpManifest.Column::name).containsExactly("n", "writer");
        assertThat(manifest.consistentPoint()).isEqualTo(d);

        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP PUBLICATION " + pub);
            // the dump's temporary slot is gone with its connection
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pgkb_dump_%' AND database = current_database()")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    private static Set<Long> minus(Set<Long> a, Set<Long> b) {
        Set<Long> out = new HashSet<>(a);
        out.removeIf(b::contains);
        return out;
    }

    private Set<Long> readDump(DumpManifest m) throws Exception {
        Set<Long> out = new HashSet<>();
        try (FileSystemStore store = new FileSystemStore(archive);
             BufferedReader r = new BufferedReader(new InputStreamReader(
                     DumpFormat.openVerified(store.open(m.dataKey()), m, m.dataKey()), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                assertThat(out.add(Long.parseLong(line.split("\t")[0]))).as("duplicate row " + line).isTrue();
            }
        }
        return out;
    }

    /** number → commit LSN, from the pgoutput stream: BEGIN's final_lsn is the commit record's LSN. */
    private static Map<Long, Long> commitLsns(String slot, String pub) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL, "
                    + "'proto_version', '1', 'publication_names', ?)")) {
                ps.setFetchSize(1000);
                ps.setString(1, slot);
                ps.setString(2, pub);
                try (ResultSet rs = ps.executeQuery()) {
                    long commitLsn = 0;
                    while (rs.next()) {
                        ByteBuffer b = ByteBuffer.wrap(rs.getBytes(1));
                        byte kind = b.get();
                        if (kind == 'B') {
                            commitLsn = b.getLong();
                        } else if (kind == 'I') {
                            b.getInt();
                            b.get();
                            b.getShort();
                            byte colKind = b.get();
                            assertThat(colKind).isEqualTo((byte) 't');
                            byte[] text = new byte[b.getInt()];
                            b.get(text);
                            Long prev = out.put(Long.parseLong(new String(text, StandardCharsets.UTF_8)), commitLsn);
                            assertThat(prev).isNull();
                        }
                    }
                }
            }
            c.commit();
        }
        return out;
    }
}
