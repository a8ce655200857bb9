package io.pgkb.store.encryption;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A key file: a Tink keyset in Tink's JSON format, in clear, protected by its file mode (0600). Every key is an
 * AES256_GCM_HKDF_1MB streaming AEAD key with a Tink key id; the primary key encrypts new objects, the others
 * stay for reading older objects (rotation adds a key and makes it primary). Key material never leaves this
 * class except as Tink primitives; {@link #toString()} names the path and key ids only.
 */
public final class KeyFile {
    static {
        try {
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Set<PosixFilePermission> NOT_FOR_OTHERS = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final Path path;
    private final int primaryId;
    private final Map<Integer, StreamingAead> byId;

    private KeyFile(Path path, KeysetHandle keyset) throws GeneralSecurityException {
        this.path = path;
        this.primaryId = keyset.getPrimary().getId();
        Map<Integer, StreamingAead> m = new LinkedHashMap<>();
        for (int i = 0; i < keyset.size(); i++) {
            KeysetHandle.Entry e = keyset.getAt(i);
            if (!(e.getKey() instanceof AesGcmHkdfStreamingKey k)) {
                throw new GeneralSecurityException("key id " + Integer.toUnsignedString(e.getId())
                        + " is not an AES-GCM-HKDF streaming key");
            }
            m.put(e.getId(), AesGcmHkdfStreaming.create(k));
        }
        this.byId = Collections.unmodifiableMap(m);
    }

    /** Reads a key file; refuses one that group or others may read or write (exit 2, saying how to fix it). */
    public static KeyFile load(Path path) {
        Path p = path.toAbsolutePath();
        try {
            checkMode(p);
            return new KeyFile(p, TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(p, StandardCharsets.UTF_8),
                    InsecureSecretKeyAccess.get()));
        } catch (PgkbException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new PgkbException.ConfigException("--encryption-key-file: no such file " + p
                    + " (make one with pgkb keygen " + p + ")");
        } catch (IOException e) {
            throw new PgkbException.ConfigException("--encryption-key-file: cannot read " + p + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | RuntimeException e) {
            // the parser's message may quote the file's content: never repeat it
            throw new PgkbException.ConfigException("--encryption-key-file: " + p
                    + " is not a pgkb key file (a Tink JSON keyset of AES256_GCM_HKDF_1MB keys made by pgkb keygen)");
        }
    }

    /** Writes a new key file with one key; refuses to overwrite an existing file. */
    public static KeyFile generate(Path path) {
        Path p = path.toAbsolutePath();
        if (Files.exists(p)) {
            throw new PgkbException.ConfigException("keygen: " + p + " already exists; pgkb keygen --rotate " + p
                    + " adds a new primary key to it, or choose another file");
        }
        try {
            KeysetHandle keyset = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)
                            .withRandomId().makePrimary())
                    .build();
            write(p, keyset, false);
            return new KeyFile(p, keyset);
        } catch (GeneralSecurityException e) {
            throw new PgkbException.FatalException("keygen: cannot generate a key: " + e.getMessage(), e);
        }
    }

    /** Adds a new key to an existing key file and makes it the primary one; the older keys stay for reading. */
    public static KeyFile rotate(Path path) {
        KeyFile before = load(path);
        try {
            KeysetHandle old = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(before.path, StandardCharsets.UTF_8),
                    InsecureSecretKeyAccess.get());
            KeysetHandle keyset = KeysetHandle.newBuilder(old)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)
                            .withRandomId().makePrimary())
                    .build();
            write(before.path, keyset, true);
            return new KeyFile(before.path, keyset);
        } catch (IOException e) {
            throw new PgkbException.FatalException("keygen --rotate: cannot rewrite " + before.path + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new PgkbException.FatalException("keygen --rotate: cannot add a key to " + before.path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** The key id new objects are encrypted with. */
    public int primaryId() {
        return primaryId;
    }

    /** Every key id the file holds, oldest first. */
    public List<Integer> ids() {
        return new ArrayList<>(byId.keySet());
    }

    public boolean holds(int keyId) {
        return byId.containsKey(keyId);
    }

    /** The cipher of one key, or null when the file does not hold that key id. */
    public StreamingAead cipher(int keyId) {
        return byId.get(keyId);
    }

    /** Key ids as Tink prints them: unsigned decimal. */
    public static String idText(int keyId) {
        return Integer.toUnsignedString(keyId);
    }

    @Override
    public String toString() {
        return "KeyFile[" + path + ", key ids " + ids().stream().map(KeyFile::idText).toList() + ", primary " + idText(primaryId) + "]";
    }

    private static void checkMode(Path p) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(p);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: the operator protects the file by other means
        }
        if (!Collections.disjoint(perms, NOT_FOR_OTHERS)) {
            throw new PgkbException.ConfigException("--encryption-key-file: " + p + " is accessible by group or others (mode "
                    + PosixFilePermissions.toString(perms) + "); a key file must be private to its owner: chmod 600 " + p);
        }
    }

    /** Temp file created 0600, fsync, atomic rename, fsync of the directory: the key file is never half-written. */
    private static void write(Path p, KeysetHandle keyset, boolean replace) throws GeneralSecurityException {
        String json = TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
        Path dir = p.getParent();
        Path temp = dir.resolve("." + p.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                out.write(json.getBytes(StandardCharsets.UTF_8));
                out.flush();
                ch.force(true);
            }
            if (replace) {
                Files.move(temp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                // a link fails if p appeared meanwhile, so a concurrent keygen never loses a key file
                Files.createLink(p, temp);
                Files.delete(temp);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (FileAlreadyExistsException e) {
            throw new PgkbException.ConfigException("keygen: " + p + " already exists");
        } catch (IOException e) {
            throw new PgkbException.ConfigException("keygen: cannot write " + p + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // only a leftover temp file
            }
        }
    }
}
