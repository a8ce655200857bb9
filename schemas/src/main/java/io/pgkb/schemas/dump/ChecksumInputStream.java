package io.pgkb.schemas.dump;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Counts and SHA-256-hashes the bytes read through it. */
final class ChecksumInputStream extends FilterInputStream {
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
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            eof = true;
        } else {
            sha.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            eof = true;
        } else if (n > 0) {
            sha.update(b, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipping would leave bytes out of the checksum
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
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
