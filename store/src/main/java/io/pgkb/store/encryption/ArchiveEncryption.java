package io.pgkb.store.encryption;

import io.pgkb.store.ObjectStore;
import java.io.IOException;

/** How commands get a store that keeps an archive either wholly encrypted or wholly clear. */
public final class ArchiveEncryption {
    private ArchiveEncryption() {
    }

    /** With a key file: {@link EncryptedStore}; without: a clear store that refuses encrypted archives. */
    public static ObjectStore wrap(ObjectStore inner, KeyFile keys) {
        return keys == null ? new PlainStore(inner) : new EncryptedStore(inner, keys);
    }

    /**
     * Checks at once, rather than at the first object, that {@code store} may read (or write) the archive under
     * {@code root} ({@code <prefix>/v1/}): exit 2 naming the archive and the key file when not. A store not made by
     * {@link #wrap} is not checked.
     */
    public static void check(ObjectStore store, String root, boolean write) throws IOException {
        if (store instanceof MarkedStore m) {
            m.checkArchive(root, write);
        }
    }
}
