package io.pgkb.cli;

import static io.pgkb.cli.PgkbJar.assertOneLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgkb.cli.PgkbJar.Run;
import io.pgkb.cli.PgkbJar.Running;
import io.pgkb.testkit.S3ProxyProcess;
import io.pgkb.testkit.junit.RealServices;
import io.pgkb.testkit.junit.TestDatabase;
import io.pgkb.testkit.junit.TestKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The inputs operators get wrong (issue 16 §4), fed to the commands that meet them, on real services: each ends
 * with one line naming what and where, the documented exit code, and leaves nothing half-written. The outcomes
 * are listed in docs/cli.md ("Bad-input corpus"). Usage errors (unknown flags, values and URLs that do not
 * parse, unreachable services, wrong passwords) are in {@link BadInputIT}.
 */
@RealServices
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputCorpusIT {
    private static final String TABLE = "public.items";

    @TempDir
    static Path dir;
    private static Path store;
    private static String prefix;
    private static final List<Path> MOUNTS = new ArrayList<>();

    /** A real archive to restore from: a dump, then changes through produce and archive up to the mark 'corpus'. */
    @BeforeAll
    static void archive(TestDatabase db, TestKafka kafka) throws Exception {
        assertThat(PgkbJar.JAR).as("the shaded jar (built in the package phase)").exists();
        prefix = kafka.prefix();
        store = dir.resolve("store");
        db.execute("CREATE TABLE public.items (id int PRIMARY KEY, v text)",
                "INSERT INTO public.items SELECT g, 'v' || g FROM generate_series(1, 50) g");
        String slot = "corpus_" + ProcessHandle.current().pid();
        Running produce = PgkbJar.start(Map.of(), "produce", "--pg", db.uri(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", prefix, "--slot", slot, "--publication", slot);
        Running archive = null;
        try {
            await().atMost(Duration.ofSeconds(180)).until(() -> alive(produce)
                    && db.queryForLong("SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'") == 1);
            Run dump = PgkbJar.run("dump", "--pg", db.uri(), "--store", store.toString(), "--tables", TABLE, "--topic-prefix", prefix,
                    "--publication", slot);
            assertThat(dump.code()).as(dump.everything()).isZero();
            archive = PgkbJar.start(Map.of(), "archive", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix,
                    "--group", kafka.groupId("corpus"), "--store", store.toString(), "--segment-max-age", "1s",
                    "--spool-dir", dir.resolve("spool").toString());
            db.execute("UPDATE public.items SET v = 'changed' WHERE id <= 10",
                    "SELECT pg_logical_emit_message(true, 'pgkb.mark', 'corpus')");
            Running archiving = archive;
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> alive(archiving)
                    && InProcess.run("restore", "--store", store.toString(), "--topic-prefix", prefix, "--target", db.uri(),
                            "--tables", TABLE + "=public.probe", "--to-mark", "corpus", "--dry-run").code() == 0);
        } finally {
            if (archive != null) {
                archive.stop();
            }
            produce.stop();
            db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @AfterAll
    static void unmount() {
        for (Path m : MOUNTS) {
            run("umount", m.toString());
        }
    }

    private static boolean alive(Running r) throws Exception {
        if (!r.process().isAlive()) {
            Run ended = r.stop();
            throw new AssertionError("pgkb ended with exit code " + ended.code() + ": " + ended.everything());
        }
        return true;
    }

    private static String restoreTo(TestDatabase db, String target) {
        return db.uri().replace("/" + db.name(), "/" + target);
    }

    private static List<String> restore(String target, String... more) {
        List<String> args = new ArrayList<>(List.of("restore", "--store", store.toString(), "--topic-prefix", prefix, "--target", target));
        args.addAll(List.of(more));
        return args;
    }

    private static String[] a(List<String> args) {
        return args.toArray(String[]::new);
    }

    // ---- the store ------------------------------------------------------------------------------------------------

    /** A file system mounted for the test (root only); null where mounting is not possible. */
    private static Path mount(String name, String options) {
        Path m = dir.resolve(name);
        try {
            Files.createDirectories(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (run("mount", "-t", "tmpfs", "-o", options, "pgkb-" + name, m.toString()) != 0) {
            return null;
        }
        MOUNTS.add(m);
        return m;
    }

    private static int run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static List<Path> files(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    @Order(1)
    void storeNotWritableOrFull(TestDatabase db, TestKafka kafka) throws Exception {
        Path readOnly = mount("ro", "ro,size=1m");
        Path tiny = mount("full", "size=64k");
        if (readOnly == null) {
            // not root (CI runners): a directory without write permission is the same refusal for the store
            readOnly = Files.createDirectories(dir.resolve("ro"));
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        db.execute("CREATE TABLE public.big (id int PRIMARY KEY, v text)",
                "INSERT INTO public.big SELECT g, md5(g::text) || repeat(md5((g * 7)::text), 8) FROM generate_series(1, 20000) g");
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"dump", "--pg", db.uri(), "--store", readOnly.resolve("s").toString(), "--tables", "public.big"});
        cases.add(new String[] {"archive", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix,
                "--store", readOnly.resolve("s").toString(), "--spool-dir", dir.resolve("spool-ro").toString()});
        if (tiny != null) {
            cases.add(new String[] {"dump", "--pg", db.uri(), "--store", tiny.resolve("s").toString(), "--tables", "public.big",
                    "--zstd-level", "1"});
        }
        List<Run> runs = PgkbJar.runAll(cases);
        assertOneLine(runs.get(0), 2, readOnly.toString());
        assertOneLine(runs.get(1), 2, readOnly.toString());
        if (tiny != null) {
            assertOneLine(runs.get(2), 1, "No space left on device", tiny.toString());
            assertThat(files(tiny)).as("nothing half-written under a final name, no temp file left").isEmpty();
        }
        assertThat(files(readOnly)).isEmpty();
    }

    // ---- the archive ----------------------------------------------------------------------------------------------

    @Test
    @Order(4)
    void archiveOfANewerFormat(TestDatabase db, TestKafka kafka) throws Exception {
        Path newer = dir.resolve("newer");
        Path marker = newer.resolve(prefix).resolve("v2/tables/public.items/dumps/0000000001000000/manifest.json");
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "{}");
        String where = newer.resolve(prefix).resolve("v2").toString();
        List<String[]> cases = List.of(
                new String[] {"list", "--store", newer.toString(), "--topic-prefix", prefix},
                new String[] {"verify", "--store", newer.toString(), "--topic-prefix", prefix},
                a(List.of("restore", "--store", newer.toString(), "--topic-prefix", prefix, "--target", restoreTo(db, db.name()),
                        "--tables", TABLE + "=public.newer", "--latest")),
                new String[] {"dump", "--pg", db.uri(), "--store", newer.toString(), "--topic-prefix", prefix, "--tables", TABLE},
                new String[] {"archive", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix,
                        "--store", newer.toString(), "--spool-dir", dir.resolve("spool-newer").toString()});
        List<Run> runs = PgkbJar.runAll(cases);
        for (Run r : runs) {
            assertOneLine(r, 2, where, "format v2");
        }
        assertThat(files(newer)).containsExactly(marker);
    }

    // ---- restore points and names ---------------------------------------------------------------------------------

    @Test
    @Order(5)
    void unknownTablesPointsAndMarks(TestDatabase db, TestKafka kafka) throws Exception {
        String target = restoreTo(db, db.name());
        List<String[]> cases = List.of(
                a(restore(target, "--tables", "public.nope", "--latest")),
                a(restore(target, "--tables", TABLE + "=public.r1", "--to-mark", "no-such-mark")),
                a(restore(target, "--tables", TABLE + "=public.r2", "--to-lsn", "FFFF/0")),
                a(restore(target, "--tables", TABLE + "=public.r3", "--to-time", "2999-01-01T00:00:00Z")),
                a(restore(target, "--tables", TABLE + "=public.r4", "--to-time", "1999-01-01T00:00:00Z")),
                new String[] {"dump", "--pg", db.uri(), "--store", dir.resolve("store-nope").toString(), "--tables", "public.nope"},
                new String[] {"inspect", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix, "--table", "public.nope"},
                new String[] {"verify", "--store", store.toString(), "--topic-prefix", prefix, "--tables", "public.nope"});
        List<Run> runs = PgkbJar.runAll(cases);
        assertOneLine(runs.get(0), 2, "public.nope", store.toString());
        assertOneLine(runs.get(1), 2, "no-such-mark", "corpus");
        assertOneLine(runs.get(2), 3, "FFFF/0");
        assertOneLine(runs.get(3), 3, "2999-01-01", "is after the newest point");
        assertOneLine(runs.get(4), 3, "1999-01-01");
        assertOneLine(runs.get(5), 2, "\"nope\" does not exist");
        assertOneLine(runs.get(6), 2, "public.nope", prefix + ".public.nope");
        assertOneLine(runs.get(7), 2, "public.nope");
        assertThat(db.queryForLong("SELECT count(*) FROM pg_tables WHERE tablename IN ('r1', 'r2', 'r3', 'r4')")).isZero();
        assertThat(files(dir.resolve("store-nope"))).isEmpty();
    }

    // ---- S3 -------------------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void s3BucketMissingOrCredentialsWrong(TestDatabase db) throws Exception {
        try (S3ProxyProcess s3 = S3ProxyProcess.start("corpus")) {
            String endpoint = s3.endpoint().toString();
            // in this JVM: the AWS SDK's default chain reads these system properties before the environment
            System.setProperty("aws.accessKeyId", s3.accessKey());
            System.setProperty("aws.secretAccessKey", s3.secretKey());
            Run noBucket = InProcess.run("dump", "--pg", db.uri(), "--store", "s3://no-such-bucket/pgkb", "--s3-endpoint", endpoint,
                    "--s3-region", s3.region(), "--tables", TABLE).asRun();
            System.setProperty("aws.secretAccessKey", "not-the-secret");
            Run listWrongKey = InProcess.run("list", "--store", "s3://corpus/pgkb", "--s3-endpoint", endpoint, "--s3-region", s3.region())
                    .asRun();
            Run dumpWrongKey = InProcess.run("dump", "--pg", db.uri(), "--store", "s3://corpus/pgkb", "--s3-endpoint", endpoint,
                    "--s3-region", s3.region(), "--tables", TABLE).asRun();
            assertOneLine(noBucket, 2, "s3://no-such-bucket/pgkb", "NoSuchBucket (HTTP 404); the bucket does not exist");
            assertOneLine(listWrongKey, 2, "s3://corpus/pgkb", "(HTTP 403); check the AWS credentials");
            assertOneLine(dumpWrongKey, 2, "s3://corpus/pgkb", "(HTTP 403); check the AWS credentials");
            try (S3Client client = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true)
                    .region(Region.of(s3.region()))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                    .build()) {
                assertThat(client.listObjectsV2(r -> r.bucket("corpus")).contents()).as("nothing written").isEmpty();
            }
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    // ---- Kafka content --------------------------------------------------------------------------------------------

    @Test
    @Order(3)
    void recordWithoutSchemaAndAnotherToolsTopic(TestKafka kafka) throws Exception {
        String p = kafka.prefix() + "-k";
        try (TestRecords w = new TestRecords(kafka.bootstrapServers(), p)) {
            w.createTopic(1, false);
            w.insert(1, "a", "1.00", 0);
        }
        String q = kafka.prefix() + "-o";
        // named like a table topic (<prefix>.<a>.<b>), so the archiver subscribes to it; a name of one part it never reads
        kafka.createTopic(q + ".connect.offsets", 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            producer.send(new ProducerRecord<>(q + ".connect.offsets", "{\"k\":1}".getBytes(StandardCharsets.UTF_8),
                    "{\"offset\":42}".getBytes(StandardCharsets.UTF_8))).get();
        }
        // in this JVM: a separate one per run would add its start-up and nothing else
        List<Run> runs = List.of(
                InProcess.run("archive", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", p,
                        "--group", kafka.groupId("k"), "--store", dir.resolve("store-k").toString(),
                        "--spool-dir", dir.resolve("spool-k").toString()).asRun(),
                InProcess.run("inspect", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", p,
                        "--table", "public.accounts", "--from-beginning", "--max-records", "1").asRun(),
                InProcess.run("archive", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", q,
                        "--group", kafka.groupId("o"), "--store", dir.resolve("store-o").toString(),
                        "--spool-dir", dir.resolve("spool-o").toString()).asRun());
        assertOneLine(runs.get(0), 1, "topic=" + p + ".public.accounts partition=0 offset=0", "unknown schema fingerprint", "_schemas");
        // inspect is for looking at records: it prints one it cannot decode, with its bytes and the reason, and goes on
        assertThat(runs.get(1).code()).as(runs.get(1).everything()).isZero();
        assertThat(runs.get(1).out()).contains("\"value_error\"", "not found (not in the _schemas topic or archive)");
        assertOneLine(runs.get(2), 1, "topic=" + q + ".connect.offsets partition=0 offset=0");
        for (String s : List.of("store-k", "store-o")) {
            assertThat(files(dir.resolve(s)).stream().filter(f -> f.toString().contains("/tables/")))
                    .as("no segment of a record that could not be read").isEmpty();
        }
    }

    // ---- the restore target ---------------------------------------------------------------------------------------

    @Test
    @Order(6)
    void targetReadOnlyOrWithoutCreate(TestDatabase db) throws Exception {
        db.execute("CREATE ROLE corpus_reader LOGIN PASSWORD 'reader-pw'", "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + db.name() + " TO corpus_reader");
        String noCreate = "postgresql://corpus_reader:reader-pw@" + db.host() + ":" + db.port() + "/" + db.name();
        Run inPublic = InProcess.run(a(restore(noCreate, "--tables", TABLE + "=public.nocreate", "--to-mark", "corpus"))).asRun();
        Run inNewSchema = InProcess.run(a(restore(noCreate, "--tables", TABLE + "=fresh.nocreate", "--to-mark", "corpus"))).asRun();
        assertOneLine(inPublic, 2, "role corpus_reader lacks CREATE on SCHEMA \"public\"", "GRANT CREATE ON SCHEMA \"public\"");
        assertOneLine(inNewSchema, 2, "role corpus_reader lacks CREATE on DATABASE \"" + db.name() + "\"");
        assertThat(inPublic.everything() + inNewSchema.everything()).doesNotContain("reader-pw");
        db.execute("CREATE ROLE corpus_ro LOGIN PASSWORD 'ro-pw'", "ALTER ROLE corpus_ro SET default_transaction_read_only = on");
        Run readOnly = InProcess.run(a(restore("postgresql://corpus_ro:ro-pw@" + db.host() + ":" + db.port() + "/" + db.name(),
                "--tables", TABLE + "=public.read_only", "--to-mark", "corpus"))).asRun();
        assertOneLine(readOnly, 2, "is read-only (default_transaction_read_only is on");
        try (Standby standby = Standby.start()) {
            String onStandby = "postgresql://" + standby.server().user() + ":" + standby.server().password() + "@localhost:"
                    + standby.server().port() + "/postgres";
            Run ro = InProcess.run(a(restore(onStandby, "--tables", TABLE + "=public.on_standby", "--to-mark", "corpus"))).asRun();
            assertOneLine(ro, 2, "hot standby", "localhost:" + standby.server().port());
        }
        assertThat(db.queryForLong("SELECT count(*) FROM pg_class WHERE relname IN ('nocreate', 'read_only') OR relname LIKE 'pgkb_restore_%'")).isZero();
        assertThat(db.queryForLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'fresh'")).isZero();
    }

    // ---- the producer's slot and publication ----------------------------------------------------------------------

    @Test
    @Order(7)
    void slotHeldElsewhereAndPublicationOfAnotherOwner(TestDatabase db, TestKafka kafka) throws Exception {
        db.execute("CREATE ROLE corpus_producer LOGIN REPLICATION PASSWORD 'producer-pw'",
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO corpus_producer",
                "CREATE PUBLICATION corpus_owned FOR TABLE public.items",
                "CREATE TABLE public.not_in_it (id int PRIMARY KEY)");
        String asProducer = "postgresql://corpus_producer:producer-pw@" + db.host() + ":" + db.port() + "/" + db.name();
        // in this JVM: a separate one per run would add its start-up and nothing else
        // all tables of the database, public.not_in_it is not in the publication: adding it needs its owner
        Run notOwner = InProcess.run("produce", "--pg", asProducer, "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", kafka.prefix() + "-owned", "--slot", "corpus_owned", "--publication", "corpus_owned").asRun();
        assertOneLine(notOwner, 2, "publication corpus_owned", "owned by role " + db.user(), "not corpus_producer",
                "ALTER PUBLICATION \"corpus_owned\" OWNER TO \"corpus_producer\"");
        assertThat(db.queryForLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'corpus_owned'"))
                .as("no slot left pinning WAL").isZero();

        String slot = "corpus_held";
        db.execute("CREATE PUBLICATION corpus_held FOR TABLE public.items",
                "SELECT pg_create_logical_replication_slot('corpus_held', 'pgoutput')");
        try (Connection other = replicationConnection(db);
             PGReplicationStream held = other.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                     .withSlotName(slot).withSlotOption("proto_version", 1).withSlotOption("publication_names", slot).start()) {
            assertThat(held.isClosed()).isFalse();
            Run second = InProcess.run("produce", "--pg", db.uri(), "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic-prefix", kafka.prefix() + "-held", "--slot", slot, "--publication", slot).asRun();
            assertOneLine(second, 1, "replication slot " + slot + " is active", "used by PostgreSQL backend pid");
            assertThat(db.queryForLong("SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'"))
                    .as("the other reader keeps its slot").isEqualTo(1);
        } finally {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    db.queryForLong("SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'") == 0);
            db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    /** A logical replication connection of this JVM: another process, as PostgreSQL sees it, reading a slot. */
    private static Connection replicationConnection(TestDatabase db) throws SQLException {
        Properties p = db.properties();
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }

    // ---- names that need quoting ----------------------------------------------------------------------------------

    /** Not bad input, but met while building the corpus: a target schema named by a reserved word. */
    @Test
    @Order(8)
    void restoreIntoASchemaNamedByAReservedWord(TestDatabase db) throws Exception {
        InProcess.Result r = InProcess.run(a(restore(db.uri(), "--tables", TABLE + "=check.orders", "--to-mark", "corpus")));
        assertThat(r.code()).as(r.err()).isZero();
        String md5 = "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM %s t";
        // nothing changed public.items after the mark 'corpus'
        assertThat(db.queryForString(md5.formatted("\"check\".orders"))).isEqualTo(db.queryForString(md5.formatted("public.items")));
    }
}
