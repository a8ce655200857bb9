package io.pgkb.store.encryption.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The clear prefix of every encrypted object: magic {@code PGKE}, format version 1, the Tink key id (4 bytes, big
 * endian) of the key that encrypted it, then Tink's streaming ciphertext. The header and the object's key are the
 * associated data, so neither the key id nor the name can be changed without failing authentication.
 */
public final class ObjectHeader {
    public static final int LENGTH = 9;
    private static final byte[] MAGIC = {'P', 'G', 'K', 'E'};
    private static final byte VERSION = 1;

    private ObjectHeader() {
    }

    public static byte[] encode(int keyId) {
        return ByteBuffer.allocate(LENGTH).put(MAGIC).put(VERSION).putInt(keyId).array();
    }

    /** The key id of a header read from {@code in}, or null when the stream does not start with one. */
    public static Integer read(InputStream in, byte[] into) throws IOException {
        int n = in.readNBytes(into, 0, LENGTH);
        if (n < LENGTH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(into);
        for (byte m : MAGIC) {
            if (b.get() != m) {
                return null;
            }
        }
        if (b.get() != VERSION) {
            return null;
        }
        return b.getInt();
    }

    /** Header followed by the object's key in UTF-8: what authentication binds the ciphertext to. */
    public static byte[] associatedData(byte[] header, String objectKey) {
        byte[] name = objectKey.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(header.length + name.length).put(header).put(name).array();
    }
}
