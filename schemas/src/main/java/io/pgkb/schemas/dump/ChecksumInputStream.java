package io.pgkb.schemas.dump;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Counts and SHA-256-hashes the bytes read through it. */
final class ChecksumInputStream extends ObservedInputStream {
    private final MessageDigest sha;
    private long count;
    private boolean eof;

    ChecksumInputStream(InputStream in) {
        super(in);
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    void seen(byte[] b, int off, int n) {
        sha.update(b, off, n);
        count += n;
    }

    @Override
    void ended() {
        eof = true;
    }

    /** Reads whatever the consumer left unread, so the checksum covers the whole object. */
    void drain() throws IOException {
        byte[] buf = new byte[8192];
        while (!eof) {
            read(buf, 0, buf.length);
        }
    }

    long count() {
        return count;
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(sha.digest());
    }
}
