package io.pgkb.store;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import java.io.IOException;

/**
 * Refuses an archive written in a newer format than this pgkb knows. The format version is in every key
 * (DESIGN §4), so a newer release writes under {@code <prefix>/v2/}; this one must neither read it (it would see
 * an empty archive) nor write v1 objects beside it (a mixed archive).
 */
public final class ArchiveFormat {
    /** The first version this release does not know. */
    static final String NEXT = "v2";

    private ArchiveFormat() {
    }

    /** Exit 2, naming the location, when {@code <prefix>/v2/} holds anything. */
    public static void requireSupported(ObjectStore store, String prefix) throws IOException {
        String next = prefix + "/" + NEXT + "/";
        if (store.anyUnder(next)) {
            throw new PgkbException.ConfigException(store.describe(next) + " holds an archive in format " + NEXT
                    + ", newer than this pgkb (format " + ArchiveLayout.VERSION + "): use the pgkb release that wrote it;"
                    + " this one neither reads nor writes there");
        }
    }
}
