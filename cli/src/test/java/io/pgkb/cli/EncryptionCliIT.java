package io.pgkb.cli;

import static io.pgkb.cli.BadInputIT.pgkb;
import static io.pgkb.cli.PgkbJar.assertOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.store.FileSystemStore;
import io.pgkb.store.encryption.EncryptedStore;
import io.pgkb.store.encryption.KeyFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgkb keygen} and the key file options as operators run them (the shaded jar): a key file made 0600, never
 * overwritten, rotated; PGKB_ENCRYPTION_KEY_FILE read; refusals are one line, exit 2, and never show key material.
 */
class EncryptionCliIT {
    @TempDir
    Path dir;

    @Test
    void keygenRotateAndTheEnvironmentVariable() throws Exception {
        Path key = dir.resolve("archive.key");
        PgkbJar.Run made = pgkb("keygen", key.toString());
        assertThat(made.code()).as(String.join("\n", made.err())).isZero();
        assertThat(made.out()).contains("wrote " + key).contains("Back it up");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        String material = keyMaterial(key);

        assertOneLine(pgkb("keygen", key.toString()), 2, "already exists", "--rotate");
        PgkbJar.Run rotated = pgkb("keygen", "--rotate", key.toString());
        assertThat(rotated.code()).isZero();
        assertThat(KeyFile.load(key).ids()).hasSize(2);
        assertThat(rotated.out()).contains("added key id " + KeyFile.idText(KeyFile.load(key).primaryId()));

        // an encrypted archive: without a key every reader refuses; the variable names the key file
        Path archive = dir.resolve("archive");
        try (EncryptedStore s = new EncryptedStore(new FileSystemStore(archive), KeyFile.load(key))) {
            s.put("pgkb/v1/schemas/0000000000000000.avsc", "{\"type\":\"string\"}".getBytes(StandardCharsets.UTF_8));
        }
        assertOneLine(pgkb("verify", "--store", archive.toString()), 2, "is encrypted", "--encryption-key-file");
        PgkbJar.Run ok = pgkb(Map.of("PGKB_ENCRYPTION_KEY_FILE", key.toString()), "--log-level", "debug", "verify",
                "--store", archive.toString());
        assertThat(ok.code()).as(String.join("\n", ok.err())).isZero();

        Path loose = dir.resolve("loose.key");
        Files.copy(key, loose);
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        PgkbJar.Run refused = pgkb(Map.of("PGKB_ENCRYPTION_KEY_FILE", loose.toString()), "list", "--store", archive.toString());
        assertOneLine(refused, 2, "chmod 600 " + loose);
        for (PgkbJar.Run r : new PgkbJar.Run[] {made, rotated, ok, refused}) {
            assertThat(r.out() + String.join("\n", r.err())).doesNotContain(material);
        }
    }

    private static String keyMaterial(Path key) throws IOException {
        Matcher m = Pattern.compile("\"value\"\\s*:\\s*\"([^\"]+)\"").matcher(Files.readString(key));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
