package io.pgkb.bench;

import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.encryption.EncryptedStore;
import io.pgkb.store.encryption.KeyFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The archive store of a benchmark: a directory; with {@code -Dencrypt=true} encrypted as {@code --encryption-key-file}
 * does (a fresh key file beside it), so the same bench measures the cost of encryption at rest.
 */
public final class BenchStore {
    public static final boolean ENCRYPT = Boolean.getBoolean("encrypt");

    private BenchStore() {
    }

    public static ObjectStore open(Path dir) throws IOException {
        FileSystemStore fs = new FileSystemStore(dir);
        if (!ENCRYPT) {
            return fs;
        }
        return new EncryptedStore(fs, KeyFile.generate(dir.getParent().resolve("bench-" + UUID.randomUUID() + ".key")));
    }

    /** For the first line of a bench's output. */
    public static String describe() {
        return ENCRYPT ? "encryption at rest ON (-Dencrypt=true: Tink AES256_GCM_HKDF_1MB)" : "encryption at rest off (-Dencrypt=true turns it on)";
    }
}
