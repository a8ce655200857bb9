package io.pgkb.schemas.dump;

import io.pgkb.schemas.PgkbException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Decompressed COPY text that checks size, checksum and row count against the manifest at its end. */
final class VerifyingInputStream extends FilterInputStream {
    private final ChecksumInputStream compressed;
    private final DumpManifest manifest;
    private final String where;
    private long rows;
    private long bytes;
    private boolean verified;

    VerifyingInputStream(InputStream decompressed, ChecksumInputStream compressed, DumpManifest manifest, String where) {
        super(decompressed);
        this.compressed = compressed;
        this.manifest = manifest;
        this.where = where;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            verify();
        } else {
            bytes++;
            if (b == '\n') {
                rows++;
            }
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
            return n;
        }
        bytes += n;
        for (int i = off; i < off + n; i++) {
            if (b[i] == '\n') {
                rows++;
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
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

    private void verify() throws IOException {
        if (verified) {
            return;
        }
        verified = true;
        compressed.drain();
        if (compressed.count() != manifest.dataBytes()) {
            throw corrupt("holds " + compressed.count() + " bytes, manifest says " + manifest.dataBytes());
        }
        String sha = compressed.sha256Hex();
        if (!sha.equalsIgnoreCase(manifest.dataSha256())) {
            throw corrupt("SHA-256 " + sha + " does not match manifest " + manifest.dataSha256());
        }
        if (bytes != manifest.uncompressedBytes() || rows != manifest.rowCount()) {
            throw corrupt("decompresses to " + rows + " rows / " + bytes + " bytes, manifest says "
                    + manifest.rowCount() + " rows / " + manifest.uncompressedBytes() + " bytes");
        }
    }

    private PgkbException corrupt(String what) {
        return new PgkbException.ArchiveIncompleteException("dump data " + where + " " + what);
    }
}
