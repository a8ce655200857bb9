package io.pgkb.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemStoreTest {
    @TempDir
    Path dir;

    @Test
    void committedObjectIsVisibleWithItsBytes() throws IOException {
        try (FileSystemStore s = new FileSystemStore(dir)) {
            byte[] big = new byte[3 * 1024 * 1024 + 17];
            new Random(1).nextBytes(big);
            try (ObjectStore.ObjectWriter w = s.create("a/b/c.avro")) {
                w.write(big, 0, 1000);
                w.write(big, 1000, big.length - 1000);
                assertThat(s.exists("a/b/c.avro")).as("invisible before commit").isFalse();
                assertThat(s.list("a/")).isEmpty();
                w.commit();
            }
            assertThat(s.get("a/b/c.avro")).isEqualTo(big);
            assertThat(s.list("a/")).containsExactly(new ObjectStore.ObjectInfo("a/b/c.avro", big.length));
        }
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws IOException {
        try (FileSystemStore s = new FileSystemStore(dir)) {
            try (ObjectStore.ObjectWriter w = s.create("x/y.avro")) {
                w.write("half".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(s.exists("x/y.avro")).isFalse();
            assertThat(s.list("")).isEmpty();
            try (Stream<Path> files = Files.walk(dir)) {
                assertThat(files.filter(Files::isRegularFile).toList()).as("no temp file left").isEmpty();
            }
        }
    }

    @Test
    void tempFilesOfACrashedWriterAreNeverListed() throws IOException {
        try (FileSystemStore s = new FileSystemStore(dir)) {
            s.put("p/00000000000000000000-00000000000000000009.avro", new byte[] {1});
            // what a killed process leaves behind: a temp file next to the final name
            Files.write(dir.resolve("p/" + FileSystemStore.TEMP_PREFIX + "dead-00000000000000000010-00000000000000000019.avro"), new byte[] {2});
            assertThat(s.list("p/")).extracting(ObjectStore.ObjectInfo::key)
                    .containsExactly("p/00000000000000000000-00000000000000000009.avro");
        }
    }

    @Test
    void listIsSortedAndFiltersByPrefix() throws IOException {
        try (FileSystemStore s = new FileSystemStore(dir)) {
            for (String k : List.of("t/seg/1/b", "t/seg/1/a", "t/seg/10/a", "t/seg/2/a", "t/other", "u/a")) {
                s.put(k, k.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(s.list("t/seg/1")).extracting(ObjectStore.ObjectInfo::key)
                    .containsExactly("t/seg/1/a", "t/seg/1/b", "t/seg/10/a");
            assertThat(s.list("t/seg/1/")).extracting(ObjectStore.ObjectInfo::key).containsExactly("t/seg/1/a", "t/seg/1/b");
            assertThat(s.list("nothing/")).isEmpty();
            assertThat(s.list("")).hasSize(6);
        }
    }

    @Test
    void overwriteReplacesAtomicallyAndDeleteIsIdempotent() throws IOException {
        try (FileSystemStore s = new FileSystemStore(dir)) {
            s.put("k", new byte[] {1});
            s.put("k", new byte[] {2, 3});
            assertThat(s.get("k")).containsExactly(2, 3);
            s.delete("k");
            s.delete("k");
            assertThat(s.exists("k")).isFalse();
            assertThatThrownBy(() -> s.open("k")).isInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void keysCannotEscapeTheRoot() throws IOException {
        try (FileSystemStore s = new FileSystemStore(dir)) {
            assertThatThrownBy(() -> s.create("../evil")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.create("/abs")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void storesOpenFromPathsAndUris() throws IOException {
        try (ObjectStore a = ObjectStores.open(dir.resolve("plain").toString(), null);
             ObjectStore b = ObjectStores.open(dir.resolve("uri").toUri().toString(), null)) {
            a.put("k", new byte[] {1});
            b.put("k", new byte[] {2});
        }
        assertThat(Files.readAllBytes(dir.resolve("plain/k"))).containsExactly(1);
        assertThat(Files.readAllBytes(dir.resolve("uri/k"))).containsExactly(2);
        assertThatThrownBy(() -> ObjectStores.open("ftp://x/y", null))
                .isInstanceOf(PgkbException.ConfigException.class).hasMessageContaining("--store");
        assertThatThrownBy(() -> ObjectStores.open("s3:///prefix", null))
                .isInstanceOf(PgkbException.ConfigException.class).hasMessageContaining("bucket");
    }
}
