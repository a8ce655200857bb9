package io.pgkb.schemas.dump;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.io.InputStream;

/** Decompressed COPY text that checks size, checksum and row count against the manifest at its end. */
final class VerifyingInputStream extends ObservedInputStream {
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
    void seen(byte[] b, int off, int n) {
        bytes += n;
        for (int i = off; i < off + n; i++) {
            if (b[i] == '\n') {
                rows++;
            }
        }
    }

    @Override
    void ended() throws IOException {
        verify();
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
