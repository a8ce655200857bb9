package io.pgkb.store.encryption;

import com.google.crypto.tink.StreamingAead;
import io.pgkb.schemas.NonClosingOutputStream;
import io.pgkb.schemas.PgkbException;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.encryption.internal.DecryptingStream;
import io.pgkb.store.encryption.internal.EncryptionMarker;
import io.pgkb.store.encryption.internal.ObjectHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encrypts every object on its way into the store and decrypts it on the way out, with Tink's streaming AEAD
 * (AES-256-GCM, HKDF per object, 1 MiB segments: memory stays bounded whatever the size). Each object is a
 * {@link ObjectHeader} naming the key id, then Tink's ciphertext; the header and the object's key are the associated
 * data, so an object moved, swapped or truncated fails authentication. New objects use the key file's primary key;
 * every key the file holds decrypts. Callers compress before writing, as they do for a clear store.
 *
 * <p>The archive's {@code encryption.json} is created by the first write into an empty namespace and lists every
 * key id used; a namespace that already holds clear objects is refused, as is a key file that lacks a key id the
 * archive lists.
 */
public final class EncryptedStore extends MarkedStore {
    private final KeyFile keys;

    public EncryptedStore(ObjectStore inner, KeyFile keys) {
        super(inner);
        this.keys = keys;
    }

    public KeyFile keys() {
        return keys;
    }

    @Override
    protected void check(String root, boolean write) throws IOException {
        String markerKey = root + EncryptionMarker.FILE_NAME;
        byte[] json = readMarker(root);
        if (json == null) {
            if (!delegate.list(root).isEmpty()) {
                throw new PgkbException.ConfigException("the archive " + delegate.describe(root) + " is not encrypted (no "
                        + EncryptionMarker.FILE_NAME + ") and already holds objects: pgkb does not mix clear and encrypted"
                        + " objects in one archive; use it without --encryption-key-file, or start a new archive (another"
                        + " --store or --topic-prefix) with key file " + keys.path());
            }
            if (write) {
                delegate.put(markerKey, new EncryptionMarker(Map.of()).with(keys.primaryId()).toJson());
            }
            return;
        }
        EncryptionMarker marker = EncryptionMarker.parse(json, delegate.describe(markerKey));
        List<String> missing = new ArrayList<>();
        for (int id : marker.keys().keySet()) {
            if (!keys.holds(id)) {
                missing.add(KeyFile.idText(id));
            }
        }
        if (!missing.isEmpty()) {
            throw new PgkbException.ConfigException("the archive " + delegate.describe(root) + " was encrypted with key id(s) "
                    + missing + " that key file " + keys.path() + " does not hold (it holds " + ids() + "; "
                    + delegate.describe(markerKey) + " lists the archive's keys): wrong or outdated key file");
        }
        if (write && !marker.keys().containsKey(keys.primaryId())) {
            delegate.put(markerKey, marker.with(keys.primaryId()).toJson());
        }
    }

    @Override
    public ObjectWriter create(String key) throws IOException {
        guard(key, true);
        int id = keys.primaryId();
        byte[] header = ObjectHeader.encode(id);
        ObjectWriter out = delegate.create(key);
        try {
            out.write(header);
            // Tink closes its sink when the ciphertext is complete; the object is published by commit, not by that close
            OutputStream enc = keys.cipher(id).newEncryptingStream(new NonClosingOutputStream(out), ObjectHeader.associatedData(header, key));
            return new EncryptingWriter(out, enc);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            out.close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot encrypt " + delegate.describe(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        guard(key, false);
        InputStream raw = delegate.open(key);
        if (isMarker(key)) {
            return raw;
        }
        try {
            byte[] header = new byte[ObjectHeader.LENGTH];
            Integer id = ObjectHeader.read(raw, header);
            if (id == null) {
                throw new PgkbException.ArchiveIncompleteException(delegate.describe(key) + " is not an object encrypted by pgkb"
                        + " (no PGKE header) although key file " + keys.path() + " was given: it was replaced or altered");
            }
            StreamingAead cipher = keys.cipher(id);
            if (cipher == null) {
                String msg = delegate.describe(key) + " was encrypted with key id " + KeyFile.idText(id) + ", which key file "
                        + keys.path() + " does not hold (it holds " + ids() + ")";
                if (rootOf(key) == null) {
                    throw new PgkbException.ConfigException(msg);
                }
                // the namespace check proved the file holds every key the archive lists: the header was altered
                throw new PgkbException.ArchiveIncompleteException(msg + " and the archive's " + EncryptionMarker.FILE_NAME
                        + " does not list: the object was altered or comes from elsewhere");
            }
            DecryptingStream.Watched watched = new DecryptingStream.Watched(raw);
            InputStream plain = cipher.newDecryptingStream(watched, ObjectHeader.associatedData(header, key));
            return new DecryptingStream(plain, watched, delegate.describe(key) + " failed authentication with key id "
                    + KeyFile.idText(id) + " of " + keys.path() + ": the object was altered, truncated, or stored under another name");
        } catch (GeneralSecurityException e) {
            raw.close();
            throw new IOException("cannot decrypt " + delegate.describe(key) + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private List<String> ids() {
        return keys.ids().stream().map(KeyFile::idText).toList();
    }

    private static final class EncryptingWriter extends ObjectWriter {
        private final ObjectWriter out;
        private final OutputStream enc;

        EncryptingWriter(ObjectWriter out, OutputStream enc) {
            this.out = out;
            this.enc = enc;
        }

        @Override
        public void write(int b) throws IOException {
            enc.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            enc.write(b, off, len);
        }

        @Override
        public void commit() throws IOException {
            try {
                enc.close(); // writes the last, authenticated segment
            } catch (IOException | RuntimeException e) {
                out.close();
                throw e;
            }
            out.commit();
        }

        /** Without commit the object is discarded, as by the store's own writer. */
        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
