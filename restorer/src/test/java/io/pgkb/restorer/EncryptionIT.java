package io.pgkb.restorer;

import static io.pgkb.restorer.ChainEnv.md5;
import static io.pgkb.restorer.ChainEnv.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pgkb.archiver.ArchiveCommand;
import io.pgkb.archiver.dump.DumpCommand;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.TableId;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.ObjectStores;
import io.pgkb.store.S3Options;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.SegmentRef;
import io.pgkb.store.encryption.EncryptedStore;
import io.pgkb.store.encryption.KeyFile;
import io.pgkb.store.encryption.KeygenCommand;
import io.pgkb.testkit.LocalS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Encryption at rest through the real chain (PostgreSQL → producer → Kafka → archiver → archive, {@code pgkb dump}):
 * no object in an encrypted archive holds a row's value, raw or decompressed, while the same scan finds it in a clear
 * archive; restores are md5-exact before and after a key rotation; a missing, wrong or loosely protected key file is
 * refused (exit 2); a tampered or swapped object is named (exit 3).
 */
class EncryptionIT {
    private static final TableId SECRETS = new TableId("public", "secrets");

    @TempDir
    Path keys;

    record Canary(String note, String big) {
        static Canary random() {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            StringBuilder big = new StringBuilder(100_000);
            String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            for (int i = 0; i < 100_000; i++) {
                big.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            return new Canary("canary-" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()), big.toString());
        }

        byte[][] needles() {
            return new byte[][] {note.getBytes(StandardCharsets.UTF_8), big.getBytes(StandardCharsets.UTF_8)};
        }
    }

    /** The table with its canary row, producer and archiver running, a dump taken with pgkb dump. */
    private static Canary start(ChainEnv env, Connection src, List<String> dumpStoreArgs) throws Exception {
        Canary canary = Canary.random();
        sql(src, "CREATE TABLE secrets (id int PRIMARY KEY, note text, big text)",
                "INSERT INTO secrets SELECT g, 'n' || g, NULL FROM generate_series(1, 100) g");
        env.startProducer(2);
        env.startArchiver(30);
        sql(src, "INSERT INTO secrets VALUES (1000, '" + canary.note + "', '" + canary.big + "')");
        List<String> args = new ArrayList<>(List.of("--pg", env.sourceUri(), "--tables", "public.secrets", "--topic-prefix", env.prefix,
                "--publication", "pub_" + env.slot, "--progress-interval", "0s"));
        args.addAll(dumpStoreArgs);
        assertThat(env.command(new DumpCommand(), args.toArray(String[]::new))).as(env.lastError).isZero();
        return canary;
    }

    record Point(Lsn lsn, String md5) {
    }

    /** Changes after the dump, so segments carry the canary too, then a point T and the table's md5 at T. */
    private static Point changeAndMark(ChainEnv env, Connection src, String tag) throws Exception {
        for (int i = 0; i < 90; i++) {
            sql(src, "UPDATE secrets SET note = note || '" + tag + "' WHERE id = " + (1 + i % 100));
        }
        sql(src, "UPDATE secrets SET note = note || '" + tag + "' WHERE id = 1000");
        Point t = new Point(ChainEnv.walLsn(src), md5(src, SECRETS));
        sql(src, "INSERT INTO secrets VALUES (" + (2000 + ThreadLocalRandom.current().nextInt(100_000)) + ", 'moves progress past t', NULL)");
        return t;
    }

    /** Restores T into r.{@code name} once the archive covers it, and compares with the source's md5 at T. */
    private static void restoresExactly(ChainEnv env, Point t, String name) throws Exception {
        env.awaitRestorable("public.secrets=r." + name, "--to-lsn", t.lsn().toString());
        assertThat(env.restoreTo("public.secrets=r." + name, "--to-lsn", t.lsn().toString())).as(env.lastError).isZero();
        try (Connection tgt = env.target()) {
            assertThat(md5(tgt, new TableId("r", name))).isEqualTo(t.md5());
        }
    }

    private static String keygen(ChainEnv env, Path file, boolean rotate) {
        int code = rotate ? env.command(new KeygenCommand(), "--rotate", file.toString()) : env.command(new KeygenCommand(), file.toString());
        assertThat(code).as(env.lastError).isZero();
        return file.toString();
    }

    @Test
    void encryptedArchiveHoldsNoRowValueRestoresExactlyAcrossRotationAndRefusesWrongKeysAndTampering() throws Exception {
        Path keyFile = keys.resolve("pgkb.key");
        try (ChainEnv env = new ChainEnv(dir -> {
            String k = keyFile.toString();
            try {
                return Map.entry(new EncryptedStore(new FileSystemStore(dir), KeyFile.generate(keyFile)),
                        List.of("--store", dir.toString(), "--encryption-key-file", k));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }); Connection src = env.source()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
            String store = env.storeDir.toString();
            Canary canary = start(env, src, List.of("--store", store, "--encryption-key-file", keyFile.toString()));
            Point pa = changeAndMark(env, src, "a");
            Lsn a = pa.lsn();
            restoresExactly(env, pa, "a");

            // without the key: every reader and writer refuses, naming what to give
            List<String> clear = List.of("--store", store, "--topic-prefix", env.prefix);
            assertThat(env.restore(concat(clear, "--target", env.targetUri(), "--tables", "public.secrets=r.x", "--to-lsn", a.toString())))
                    .isEqualTo(2);
            assertThat(env.lastError).contains("is encrypted").contains("--encryption-key-file");
            assertThat(env.verify(concat(clear))).isEqualTo(2);
            assertThat(env.list(concat(clear))).isEqualTo(2);
            assertThat(env.command(new DumpCommand(), concat(clear, "--pg", env.sourceUri(), "--tables", "public.secrets",
                    "--publication", "pub_" + env.slot, "--progress-interval", "0s"))).isEqualTo(2);
            assertThat(env.lastError).contains("is encrypted");
            int archive = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> env.command(new ArchiveCommand(),
                    concat(clear, "--bootstrap-servers", ChainEnv.kafka().bootstrapServers(), "--group", "other-" + env.prefix)));
            assertThat(archive).isEqualTo(2);

            // a wrong key file, and the right one readable by others
            Path other = Path.of(keygen(env, keys.resolve("other.key"), false));
            assertThat(env.verify(concat(clear, "--encryption-key-file", other.toString()))).isEqualTo(2);
            assertThat(env.lastError).contains(other.toString()).contains("wrong or outdated key file");
            Path loose = keys.resolve("loose.key");
            Files.copy(keyFile, loose);
            Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
            assertThat(env.list(concat(clear, "--encryption-key-file", loose.toString()))).isEqualTo(2);
            assertThat(env.lastError).contains("chmod 600 " + loose);

            // nothing of the row in any object, raw or decompressed (the refused writers wrote nothing in clear)
            ObjectStore raw = new FileSystemStore(env.storeDir);
            assertThat(raw.list("")).hasSizeGreaterThan(5);
            assertThat(CanaryScan.holders(raw, "", canary.needles())).isEmpty();

            // rotation: objects written from now on use the new key; both points restore exactly
            int oldId = KeyFile.load(keyFile).primaryId();
            env.stopArchiver(); // it flushes its open segments with the old key, as a real archiver does on SIGTERM
            Set<String> before = keysOf(raw);
            keygen(env, keyFile, true);
            KeyFile rotated = KeyFile.load(keyFile);
            env.startArchiver(30, new EncryptedStore(new FileSystemStore(env.storeDir), rotated));
            Point pb = changeAndMark(env, src, "b");
            Lsn b = pb.lsn();
            restoresExactly(env, pb, "b");
            restoresExactly(env, pa, "a2");
            String marker = new ArchiveLayout(env.prefix).root() + "encryption.json";
            List<String> written = keysOf(raw).stream().filter(k -> !before.contains(k) && !k.equals(marker)).toList();
            assertThat(written).isNotEmpty();
            for (String k : written) {
                assertThat(keyIdOf(raw, k)).as(k).isEqualTo(rotated.primaryId());
            }
            assertThat(before.stream().filter(k -> !k.equals(marker)).map(k -> keyIdOf(raw, k))).containsOnly(oldId);
            assertThat(new String(raw.get(marker), StandardCharsets.UTF_8))
                    .contains(KeyFile.idText(oldId)).contains(KeyFile.idText(rotated.primaryId()));
            assertThat(env.verify(concat(clear, "--encryption-key-file", keyFile.toString()))).as(env.lastOutput).isZero();

            // tampering: a flipped byte, then two objects swapped, are named by verify and refused by restore (exit 3)
            String[] withKey = concat(clear, "--encryption-key-file", keyFile.toString());
            ArchiveCatalog catalog = new ArchiveCatalog(env.store, new ArchiveLayout(env.prefix));
            List<SegmentRef> busiest = catalog.segments(SECRETS).values().stream().max(Comparator.comparingInt(List::size)).orElseThrow();
            String segment = busiest.get(busiest.size() / 2).key();
            String data = catalog.dumps(SECRETS).get(0).dataKey();
            Path fs = env.storeDir.resolve(segment);
            Path fd = env.storeDir.resolve(data);
            byte[] bs = Files.readAllBytes(fs);
            byte[] bd = Files.readAllBytes(fd);
            Files.write(fs, flip(bs));
            Files.write(fd, flip(bd));
            assertThat(env.verify(withKey)).isEqualTo(3);
            assertThat(env.lastOutput).contains(segment).contains(data).contains("failed authentication");
            assertThat(env.restoreTo("public.secrets=r.t1", "--to-lsn", b.toString())).isEqualTo(3);
            assertThat(env.lastError).containsAnyOf(data, segment).contains("failed authentication");

            Files.write(fs, bd);
            Files.write(fd, bs);
            assertThat(env.verify(withKey)).isEqualTo(3);
            assertThat(env.lastOutput).contains(segment).contains(data).contains("failed authentication");
            assertThat(env.restoreTo("public.secrets=r.t2", "--to-lsn", b.toString())).isEqualTo(3);
            assertThat(env.lastError).containsAnyOf(data, segment).contains("failed authentication");

            Files.write(fs, bs);
            Files.write(fd, bd);
            assertThat(env.verify(withKey)).as(env.lastOutput).isZero();
            try (Connection tgt = env.target()) {
                assertThat(ChainEnv.one(tgt, "SELECT count(*) FROM pg_tables WHERE tablename IN ('t1', 't2')")).isEqualTo("0");
            }
        }
    }

    @Test
    void theSameScanFindsTheRowInAClearArchive() throws Exception {
        try (ChainEnv env = new ChainEnv(); Connection src = env.source()) {
            Canary canary = start(env, src, env.storeArgs);
            Lsn a = changeAndMark(env, src, "a").lsn();
            env.awaitRestorable("public.secrets=r.a", "--to-lsn", a.toString());
            ObjectStore raw = new FileSystemStore(env.storeDir);
            List<String> holders = CanaryScan.holders(raw, "", canary.needles());
            // in the dump and in the segments alike
            assertThat(holders).anyMatch(k -> k.contains("/dumps/")).anyMatch(k -> k.contains("/segments/"));
        }
    }

    @Test
    void encryptedArchiveOnS3RoundTrips() throws Exception {
        Path keyFile = keys.resolve("s3.key");
        try (LocalS3 s3 = LocalS3.start()) {
            s3.createBucket("vault");
            System.setProperty("aws.accessKeyId", s3.accessKey());
            System.setProperty("aws.secretAccessKey", s3.secretKey());
            S3Options options = new S3Options(s3.endpoint(), true, s3.region(), S3Options.MIN_PART_SIZE,
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())));
            List<String> s3Args = List.of("--store", "s3://vault/team", "--s3-endpoint", s3.endpoint().toString(), "--s3-path-style",
                    "--s3-region", s3.region());
            try (ChainEnv env = new ChainEnv(dir -> Map.entry(new EncryptedStore(ObjectStores.open("s3://vault/team", options),
                    KeyFile.generate(keyFile)), List.of(concat(s3Args, "--encryption-key-file", keyFile.toString()))));
                 Connection src = env.source();
                 ObjectStore raw = ObjectStores.open("s3://vault/team", options)) {
                Canary canary = start(env, src, env.storeArgs);
                Point pa = changeAndMark(env, src, "a");
                Lsn a = pa.lsn();
                restoresExactly(env, pa, "a");
                assertThat(raw.list("")).hasSizeGreaterThan(5);
                assertThat(CanaryScan.holders(raw, "", canary.needles())).isEmpty();
                assertThat(env.restore(concat(s3Args, "--topic-prefix", env.prefix, "--target", env.targetUri(),
                        "--tables", "public.secrets=r.x", "--to-lsn", a.toString()))).isEqualTo(2);
                assertThat(env.lastError).contains("s3://vault/team/" + env.prefix).contains("is encrypted");
            }
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    private static byte[] flip(byte[] object) {
        byte[] b = object.clone();
        b[b.length / 2] ^= 0x10;
        return b;
    }

    private static String[] concat(List<String> head, String... tail) {
        return Stream.concat(head.stream(), Stream.of(tail)).toArray(String[]::new);
    }

    private static Set<String> keysOf(ObjectStore raw) throws IOException {
        Set<String> out = new HashSet<>();
        for (ObjectStore.ObjectInfo o : raw.list("")) {
            out.add(o.key());
        }
        return out;
    }

    private static int keyIdOf(ObjectStore raw, String key) {
        try {
            byte[] b = raw.get(key);
            assertThat(new String(b, 0, 4, StandardCharsets.US_ASCII)).as(key).isEqualTo("PGKE");
            return ByteBuffer.wrap(b, 5, 4).getInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
