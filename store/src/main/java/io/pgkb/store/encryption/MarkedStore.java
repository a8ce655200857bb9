package io.pgkb.store.encryption;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.store.ForwardingStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.encryption.internal.EncryptionMarker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store that checks, once per archive namespace ({@code <prefix>/v1/}) and before the first read or write
 * there, that its way of reading and writing (encrypted or clear) is the archive's: the marker
 * {@code <prefix>/v1/encryption.json} says which. So an archive never mixes clear and encrypted objects, whatever
 * command touches it first. Keys outside any namespace are not checked.
 */
abstract class MarkedStore extends ForwardingStore {
    private final Set<String> readable = ConcurrentHashMap.newKeySet();
    private final Set<String> writable = ConcurrentHashMap.newKeySet();

    MarkedStore(ObjectStore inner) {
        super(inner);
    }

    /**
     * Checks that objects under {@code root} may be read or written by this store; throws
     * {@link io.pgkb.schemas.PgkbException.ConfigException} (exit 2) naming the archive and what to do.
     */
    final void checkArchive(String root, boolean write) throws IOException {
        Set<String> done = write ? writable : readable;
        if (done.contains(root)) {
            return;
        }
        synchronized (this) {
            if (!done.contains(root)) {
                check(root, write);
                done.add(root);
                readable.add(root);
            }
        }
    }

    /** The check itself, run once per namespace and access. */
    protected abstract void check(String root, boolean write) throws IOException;

    /** {@code <prefix>/v1/} of a key or key prefix, or null when it lies outside any archive namespace. */
    static String rootOf(String key) {
        int slash = key.indexOf('/');
        String marker = "/" + ArchiveLayout.VERSION + "/";
        return slash > 0 && key.startsWith(marker, slash) ? key.substring(0, slash + marker.length()) : null;
    }

    static boolean isMarker(String key) {
        String root = rootOf(key);
        return root != null && key.equals(root + EncryptionMarker.FILE_NAME);
    }

    /** Checks the namespace of {@code key}; the marker itself is only ever written by the check. */
    protected final void guard(String key, boolean write) throws IOException {
        if (write && isMarker(key)) {
            throw new IllegalArgumentException("the encryption marker is written by pgkb itself: " + key);
        }
        String root = rootOf(key);
        if (root != null) {
            checkArchive(root, write);
        }
    }

    protected final byte[] readMarker(String root) throws IOException {
        String key = root + EncryptionMarker.FILE_NAME;
        try {
            return delegate.get(key);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        guard(key, false);
        return delegate.open(key);
    }

    @Override
    public boolean exists(String key) throws IOException {
        guard(key, false);
        return delegate.exists(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        guard(prefix, false);
        return delegate.list(prefix);
    }

    @Override
    public void delete(String key) throws IOException {
        guard(key, true);
        delegate.delete(key);
    }
}
