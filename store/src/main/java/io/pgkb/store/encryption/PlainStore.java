package io.pgkb.store.encryption;

import io.pgkb.schemas.PgkbException;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.encryption.internal.EncryptionMarker;
import java.io.IOException;

/** A store used without a key: it reads and writes in clear, and refuses an archive that is encrypted. */
final class PlainStore extends MarkedStore {
    PlainStore(ObjectStore inner) {
        super(inner);
    }

    @Override
    protected void check(String root, boolean write) throws IOException {
        if (readMarker(root) != null) {
            throw new PgkbException.ConfigException("the archive " + delegate.describe(root) + " is encrypted ("
                    + delegate.describe(root + EncryptionMarker.FILE_NAME) + "); give its key file with --encryption-key-file FILE"
                    + " or PGKB_ENCRYPTION_KEY_FILE" + (write ? ": nothing is written to it in clear" : ""));
        }
    }

    @Override
    public ObjectWriter create(String key) throws IOException {
        guard(key, true);
        return delegate.create(key);
    }
}
