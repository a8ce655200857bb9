package io.pgkb.archiver.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import picocli.CommandLine;

@RealServices
class DumpCommandIT {
    private static final TableId AWKWARD = new TableId("we.ird \"sch\"", "Tä b.\"le");
    private static TestDatabase db;

    @TempDir
    Path archive;

    @BeforeAll
    static void start(TestDatabase database) throws Exception {
        db = database;
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + TableId.quoteIdent(AWKWARD.schema()));
            st.execute("CREATE TABLE " + AWKWARD.quoted() + " (\"Id\" int PRIMARY KEY, \"na me\" text, at timestamptz, "
                    + "b bytea, d double precision, doomed int, g int GENERATED ALWAYS AS (\"Id\" * 2) STORED)");
            st.execute("ALTER TABLE " + AWKWARD.quoted() + " DROP COLUMN doomed");
            st.execute("INSERT INTO " + AWKWARD.quoted() + " VALUES "
                    + "(1, E'tab\\there\\nnew line \\\\ back', '2024-02-29 12:00:00.123456+05', '\\x00ff', 'NaN'),"
                    + "(2, NULL, 'infinity', '', '-Infinity'),"
                    + "(3, 'ünïcødé ✓', '1999-12-31 23:59:59Z', NULL, 1.0000000000000002)");
            st.execute("CREATE TABLE public.small (id int PRIMARY KEY)");
            st.execute("INSERT INTO public.small SELECT generate_series(1, 10)");
            st.execute("CREATE TABLE public.other (id int PRIMARY KEY)");
            st.execute("INSERT INTO public.other SELECT generate_series(1, 10)");
        }
    }

    record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new DumpCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        // what the pgkb main command does with expected failures: one line, the exception's exit code
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof PgkbException p) {
                c.getErr().println("pgkb dump: " + p.getMessage());
                return p.exitCode();
            }
            throw e;
        });
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void awkwardlyNamedTableLandsWithManifestAndExactCopyData() throws Exception {
        Run r = run("--pg", db.uri(), "--store", archive.toString(),
                "--tables", "\"we.ird \"\"sch\"\"\".\"Tä b.\"\"le\"");
        assertThat(r.exit()).as(r.err()).isZero();
        Matcher m = Pattern.compile("dump at D=([0-9A-F]+/[0-9A-F]+)").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        Lsn d = Lsn.parse(m.group(1));
        assertThat(r.out()).contains("rows=3");

        ArchiveLayout layout = new ArchiveLayout("pgkb");
        try (ObjectStore store = new FileSystemStore(archive)) {
            DumpManifest manifest = DumpManifest.fromJson(store.get(layout.dumpManifest(AWKWARD, d)), "manifest");
            assertThat(manifest.tableId()).isEqualTo(AWKWARD);
            assertThat(manifest.rowCount()).isEqualTo(3);
            assertThat(manifest.primaryKey()).containsExactly("Id");
            // dropped and generated columns are not dumped; the rest keep their order and exact types
            assertThat(manifest.columns()).extracting(DumpManifest.Column::name).containsExactly("Id", "na me", "at", "b", "d");
            assertThat(manifest.columns()).extracting(DumpManifest.Column::type)
                    .containsExactly("integer", "text", "timestamp with time zone", "bytea", "double precision");
            assertThat(manifest.columns().get(0).notNull()).isTrue();
            assertThat(manifest.dataKey()).isEqualTo(layout.dumpData(AWKWARD, d));
            assertThat(manifest.serverVersionNum()).isGreaterThanOrEqualTo(170000);
            // the definition at D, from the same snapshot: generated and dropped columns as the catalog has them
            assertThat(manifest.definition()).isNotNull();
            assertThat(manifest.definition().tableId()).isEqualTo(AWKWARD);
            assertThat(manifest.definition().storedColumns()).extracting(c -> c.name() + " " + c.type())
                    .containsExactlyElementsOf(manifest.columns().stream().map(c -> c.name() + " " + c.type()).toList());
            assertThat(manifest.definition().primaryKey().definition()).isEqualTo("PRIMARY KEY (\"Id\")");

            byte[] dumped;
            try (InputStream in = DumpFormat.openVerified(store.open(manifest.dataKey()), manifest, manifest.dataKey())) {
                dumped = in.readAllBytes();
            }
            assertThat(new String(dumped, StandardCharsets.UTF_8)).isEqualTo(copyNow(manifest));
        }
    }

    @Test
    void missingTableFailsWithOneLineAndLeavesNothing() throws Exception {
        Run r = run("--pg", db.uri(), "--store", archive.toString(), "--tables", "public.small, public.nope");
        assertThat(r.exit()).isEqualTo(PgkbException.USAGE);
        assertThat(r.err().strip()).doesNotContain("\n").contains("\"public\".\"nope\"").contains("does not exist");
        assertThat(r.out()).isEmpty();
        try (ObjectStore store = new FileSystemStore(archive)) {
            assertThat(store.list("")).isEmpty();
        }
        assertNoDumpSlotLeft();
    }

    @Test
    void tableOutsideTheProducersPublicationIsRefusedAndPublishedOneIsDumped() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE PUBLICATION only_small FOR TABLE public.small");
        }
        try {
            Run refused = run("--pg", db.uri(), "--store", archive.toString(), "--tables", "public.other",
                    "--publication", "only_small");
            assertThat(refused.exit()).isEqualTo(PgkbException.USAGE);
            assertThat(refused.err().strip()).doesNotContain("\n").contains("public.other")
                    .contains("not in publication only_small");
            try (ObjectStore store = new FileSystemStore(archive)) {
                assertThat(store.list("")).isEmpty();
            }
            assertNoDumpSlotLeft();

            Run ok = run("--pg", db.uri(), "--store", archive.toString(), "--tables", "public.small",
                    "--publication", "only_small");
            assertThat(ok.exit()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("rows=10");
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION only_small");
            }
        }
    }

    @Test
    void badOptionsNameTheOption() {
        Run r = run("--pg", db.uri(), "--store", archive.toString(), "--tables", "a.b.c");
        assertThat(r.exit()).isEqualTo(PgkbException.USAGE);
        assertThat(r.err()).startsWith("pgkb dump: --tables:").doesNotContain(db.password());
    }

    @Test
    void failureAfterOneTableWasCopiedLeavesNothingVisible() throws Exception {
        try (FileSystemStore fs = new FileSystemStore(archive)) {
            ObjectStore failing = new FailingStore(fs, "public.small");
            DumpTaker taker = new DumpTaker(PgUrl.parse(db.uri()), failing, new ArchiveLayout("pgkb"));
            // tables are dumped in name order: "other" is copied and committed before "small" fails
            assertThatThrownBy(() -> taker.take(List.of(TableId.parse("public.small"), TableId.parse("public.other")),
                    DumpListener.NONE))
                    .isInstanceOf(PgkbException.FatalException.class)
                    .hasMessageContaining("injected");
            assertThat(fs.list("")).isEmpty();
        }
        assertNoDumpSlotLeft();
    }

    @Test
    void partitionedTableIsDumpedThroughItsRootAndTablesWithoutKeyHaveNone() throws Exception {
        db.execute("CREATE TABLE parted (id int, region text, PRIMARY KEY (region, id)) PARTITION BY LIST (region)",
                "CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu')",
                "CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us')",
                "INSERT INTO parted SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 1000) g",
                "CREATE TABLE nokey (v text)", "INSERT INTO nokey VALUES ('x'), ('x'), (NULL)");
        try (FileSystemStore fs = new FileSystemStore(archive)) {
            DumpResult r = new DumpTaker(PgUrl.parse(db.uri()), fs, new ArchiveLayout("pgkb"))
                    .take(List.of(TableId.parse("parted"), TableId.parse("nokey")), DumpListener.NONE);
            DumpManifest nokey = r.manifests().get(0);
            DumpManifest parted = r.manifests().get(1);
            assertThat(parted.tableId()).isEqualTo(TableId.parse("parted"));
            assertThat(parted.rowCount()).isEqualTo(1000);
            assertThat(parted.primaryKey()).containsExactly("region", "id");
            assertThat(nokey.rowCount()).isEqualTo(3);
            assertThat(nokey.primaryKey()).isEmpty();
            // both from one snapshot
            assertThat(parted.consistentPoint()).isEqualTo(nokey.consistentPoint()).isEqualTo(r.consistentPoint());
            try (InputStream in = DumpFormat.openVerified(fs.open(parted.dataKey()), parted, parted.dataKey())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().count()).isEqualTo(1000);
            }
        }
    }

    @Test
    void cancelledDumpLeavesNothing() throws Exception {
        db.execute("CREATE TABLE big (id bigint)", "INSERT INTO big SELECT generate_series(1, 2000000)");
        try (FileSystemStore fs = new FileSystemStore(archive)) {
            DumpTaker taker = new DumpTaker(PgUrl.parse(db.uri()), fs, new ArchiveLayout("pgkb"));
            // cancel once the first MiB went through, as a shutdown hook would
            DumpListener cancelling = new DumpListener() {
                @Override
                public void progress(TableId table, long rows, long bytes) {
                    taker.cancel();
                }
            };
            assertThatThrownBy(() -> taker.take(List.of(TableId.parse("big")), cancelling))
                    .isInstanceOf(PgkbException.FatalException.class)
                    .hasMessageContaining("cancelled");
            assertThat(fs.list("")).isEmpty();
        }
        assertNoDumpSlotLeft();
    }

    private String copyNow(DumpManifest manifest) throws Exception {
        try (Connection c = db.connect()) {
            try (Statement st = c.createStatement()) {
                for (String set : DumpFormat.sessionStatements()) {
                    st.execute(set);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + AWKWARD.quoted() + " "
                    + DumpFormat.columnList(manifest.columns()) + " TO STDOUT", out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static void assertNoDumpSlotLeft() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pgkb_dump_%' AND database = current_database()")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    /** Fails creating any object whose key names {@code tableArchiveName}. */
    private static final class FailingStore extends io.pgkb.store.ForwardingStore {
        private final String needle;

        FailingStore(ObjectStore delegate, String needle) {
            super(delegate);
            this.needle = "/" + needle + "/";
        }

        @Override
        public ObjectWriter create(String key) throws IOException {
            if (key.contains(needle)) {
                throw new IOException("injected failure creating " + key);
            }
            return delegate.create(key);
        }
    }
}
