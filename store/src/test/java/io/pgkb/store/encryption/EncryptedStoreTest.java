package io.pgkb.store.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ForwardingStore;
import io.pgkb.store.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedStoreTest {
    @TempDir
    Path dir;
    FileSystemStore raw;
    KeyFile keys;
    EncryptedStore store;

    @BeforeEach
    void setUp() throws IOException {
        raw = new FileSystemStore(dir.resolve("archive"));
        keys = KeyFile.generate(dir.resolve("pgkb.key"));
        store = new EncryptedStore(raw, keys);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void roundTripOfSmallAndMultiSegmentObjectsLeavesNoPlaintextInTheStore() throws IOException {
        byte[] small = "canary-7f3a9c".getBytes(StandardCharsets.UTF_8);
        byte[] big = random(3 * 1024 * 1024 + 123, 1); // four 1 MiB segments
        store.put("p/v1/schemas/a.avsc", small);
        store.put("p/v1/tables/s.t/dumps/0000000000000001/data.copy.zst", big);

        assertThat(store.get("p/v1/schemas/a.avsc")).isEqualTo(small);
        assertThat(store.get("p/v1/tables/s.t/dumps/0000000000000001/data.copy.zst")).isEqualTo(big);
        byte[] storedSmall = raw.get("p/v1/schemas/a.avsc");
        byte[] storedBig = raw.get("p/v1/tables/s.t/dumps/0000000000000001/data.copy.zst");
        assertThat(contains(storedSmall, small)).isFalse();
        assertThat(contains(storedBig, Arrays.copyOfRange(big, 2_000_000, 2_000_032))).isFalse();
        assertThat(new String(storedSmall, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("PGKE");
        // the marker is clear, names the scheme and the key id, holds no key material
        String marker = new String(raw.get("p/v1/encryption.json"), StandardCharsets.UTF_8);
        assertThat(marker).contains("AES256_GCM_HKDF_1MB").contains(KeyFile.idText(keys.primaryId()));
        assertThat(marker).doesNotContain(keyMaterial());
    }

    @Test
    void aFlippedByteATruncationAndAnObjectUnderAnotherNameFailAuthenticationNamingTheObject() throws IOException {
        byte[] data = random(2 * 1024 * 1024, 2);
        store.put("p/v1/tables/s.t/segments/0/a.avro", data);
        store.put("p/v1/tables/s.t/segments/0/b.avro", random(1000, 3));
        byte[] stored = raw.get("p/v1/tables/s.t/segments/0/a.avro");

        byte[] flipped = stored.clone();
        flipped[stored.length / 2] ^= 0x01;
        raw.put("p/v1/tables/s.t/segments/0/a.avro", flipped);
        assertThatThrownBy(() -> store.get("p/v1/tables/s.t/segments/0/a.avro"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageContaining(raw.describe("p/v1/tables/s.t/segments/0/a.avro")).hasMessageContaining("failed authentication");

        raw.put("p/v1/tables/s.t/segments/0/a.avro", Arrays.copyOf(stored, stored.length - 100));
        assertThatThrownBy(() -> store.get("p/v1/tables/s.t/segments/0/a.avro"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class);

        raw.put("p/v1/tables/s.t/segments/0/b.avro", stored); // a's ciphertext under b's name
        assertThatThrownBy(() -> store.get("p/v1/tables/s.t/segments/0/b.avro"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageContaining(raw.describe("p/v1/tables/s.t/segments/0/b.avro"));

        raw.put("p/v1/tables/s.t/segments/0/b.avro", "clear text".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.get("p/v1/tables/s.t/segments/0/b.avro"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class).hasMessageContaining("not an object encrypted by pgkb");
    }

    @Test
    void aFailingStoreStreamStaysAnIoErrorNotATamperVerdict() throws IOException {
        store.put("p/v1/x", random(3 * 1024 * 1024, 4));
        ObjectStore failing = new ForwardingStore(raw) {
            @Override
            public InputStream open(String key) throws IOException {
                InputStream in = super.open(key);
                return new FilterInputStream(in) {
                    long read;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (read > 1_500_000) {
                            throw new IOException("connection reset");
                        }
                        int n = super.read(b, off, len);
                        read += Math.max(n, 0);
                        return n;
                    }
                };
            }
        };
        ObjectStore reader = new EncryptedStore(failing, keys);
        assertThatThrownBy(() -> reader.get("p/v1/x")).isExactlyInstanceOf(IOException.class).hasMessage("connection reset");
    }

    @Test
    void aWriterClosedWithoutCommitLeavesNothing() throws IOException {
        try (ObjectStore.ObjectWriter w = store.create("p/v1/y")) {
            w.write(random(10, 5));
        }
        assertThat(raw.exists("p/v1/y")).isFalse();
    }

    @Test
    void afterRotationNewObjectsUseTheNewKeyAndOldOnesStayReadable() throws IOException {
        store.put("p/v1/old", "before".getBytes(StandardCharsets.UTF_8));
        Path before = Files.copy(keys.path(), dir.resolve("before.key"));
        KeyFile rotated = KeyFile.rotate(keys.path());
        assertThat(rotated.ids()).hasSize(2).contains(keys.primaryId());
        assertThat(rotated.primaryId()).isNotEqualTo(keys.primaryId());

        EncryptedStore after = new EncryptedStore(raw, rotated);
        after.put("p/v1/new", "after".getBytes(StandardCharsets.UTF_8));
        assertThat(keyIdOf(raw.get("p/v1/old"))).isEqualTo(keys.primaryId());
        assertThat(keyIdOf(raw.get("p/v1/new"))).isEqualTo(rotated.primaryId());
        assertThat(new String(after.get("p/v1/old"), StandardCharsets.UTF_8)).isEqualTo("before");
        assertThat(new String(after.get("p/v1/new"), StandardCharsets.UTF_8)).isEqualTo("after");
        assertThat(new String(raw.get("p/v1/encryption.json"), StandardCharsets.UTF_8))
                .contains(KeyFile.idText(keys.primaryId())).contains(KeyFile.idText(rotated.primaryId()));

        // the key file from before the rotation lacks the new key: refused up front, naming the key file
        EncryptedStore outdated = new EncryptedStore(raw, KeyFile.load(before));
        assertThatThrownBy(() -> outdated.get("p/v1/new")).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining(before.toAbsolutePath().toString()).hasMessageContaining(KeyFile.idText(rotated.primaryId()));
    }

    @Test
    void aWrongKeyFileIsRefusedNamingTheArchiveAndTheKeyFile() throws IOException {
        store.put("p/v1/a", new byte[] {1, 2, 3});
        KeyFile other = KeyFile.generate(dir.resolve("other.key"));
        EncryptedStore wrong = new EncryptedStore(raw, other);
        assertThatThrownBy(() -> ArchiveEncryption.check(wrong, "p/v1/", false)).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining(other.path().toString()).hasMessageContaining("wrong or outdated key file");
        assertThatThrownBy(() -> wrong.put("p/v1/b", new byte[] {4})).isInstanceOf(PgkbException.ConfigException.class);
        assertThat(raw.exists("p/v1/b")).isFalse();
    }

    @Test
    void encryptedAndClearArchivesNeverMix() throws IOException {
        store.put("enc/v1/a", new byte[] {1});
        ObjectStore plain = ArchiveEncryption.wrap(raw, null);
        assertThatThrownBy(() -> plain.put("enc/v1/b", new byte[] {2})).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("is encrypted").hasMessageContaining("--encryption-key-file");
        assertThatThrownBy(() -> plain.list("enc/v1/")).isInstanceOf(PgkbException.ConfigException.class);
        assertThat(raw.exists("enc/v1/b")).isFalse();

        plain.put("clear/v1/a", new byte[] {1});
        assertThatThrownBy(() -> store.put("clear/v1/b", new byte[] {2})).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("is not encrypted").hasMessageContaining("already holds objects");
        assertThatThrownBy(() -> ArchiveEncryption.check(store, "clear/v1/", false)).isInstanceOf(PgkbException.ConfigException.class);
        assertThat(raw.exists("clear/v1/b")).isFalse();
        assertThat(raw.exists("clear/v1/encryption.json")).isFalse();
    }

    @Test
    void keyFilesAreMode0600AndOneReadableByOthersIsRefused() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.path()))).isEqualTo("rw-------");
        assertThatThrownBy(() -> KeyFile.generate(keys.path())).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("already exists").hasMessageContaining("--rotate");
        Files.setPosixFilePermissions(keys.path(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> KeyFile.load(keys.path())).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("chmod 600 " + keys.path());
        assertThat(keys.toString()).doesNotContain(keyMaterial());
    }

    @Test
    void aFileThatIsNotAKeyFileIsRefusedWithoutQuotingIt() throws IOException {
        Path bad = dir.resolve("bad.key");
        Files.writeString(bad, "{\"secret\": \"hunter2\"}");
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> KeyFile.load(bad)).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("is not a pgkb key file").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> KeyFile.load(dir.resolve("missing.key"))).isInstanceOf(PgkbException.ConfigException.class)
                .hasMessageContaining("pgkb keygen");
    }

    /** The base64 key value in the key file. */
    private String keyMaterial() throws IOException {
        String json = Files.readString(keys.path());
        Matcher m = Pattern.compile("\"value\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static int keyIdOf(byte[] stored) {
        return ByteBuffer.wrap(stored, 5, 4).getInt();
    }
}
