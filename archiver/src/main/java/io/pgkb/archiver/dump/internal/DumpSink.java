package io.pgkb.archiver.dump.internal;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where COPY output goes: counts rows and uncompressed bytes, compresses with zstd, and counts and hashes the
 * compressed bytes on their way to the object store. Fixed memory whatever the table size.
 */
public final class DumpSink extends OutputStream {
    /** Called with running totals from the copying thread. */
    public interface Tick {
        void progress(long rows, long uncompressedBytes);
    }

    private final Hashing hashing;
    private final OutputStream compressed;
    private final Tick tick;
    private long rows;
    private long bytes;
    private long nextTickAt = 1 << 20;

    public DumpSink(OutputStream target, int zstdLevel, Tick tick) throws IOException {
        this.hashing = new Hashing(target);
        ZstdOutputStream z = new ZstdOutputStream(hashing, zstdLevel);
        this.compressed = new BufferedOutputStream(z, 1 << 17);
        this.tick = tick;
    }

    @Override
    public void write(int b) throws IOException {
        compressed.write(b);
        bytes++;
        if (b == '\n') {
            rows++;
        }
        maybeTick();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        compressed.write(b, off, len);
        bytes += len;
        for (int i = off, end = off + len; i < end; i++) {
            if (b[i] == '\n') {
                rows++;
            }
        }
        maybeTick();
    }

    private void maybeTick() {
        if (bytes >= nextTickAt) {
            nextTickAt = bytes + (1 << 20);
            tick.progress(rows, bytes);
        }
    }

    /** Ends the zstd stream (the target stays open for the caller to commit). */
    public void finish() throws IOException {
        compressed.close();
        tick.progress(rows, bytes);
    }

    public long rows() {
        return rows;
    }

    public long uncompressedBytes() {
        return bytes;
    }

    public long compressedBytes() {
        return hashing.count;
    }

    public String sha256Hex() {
        return HexFormat.of().formatHex(hashing.sha.digest());
    }

    /** Hashes and counts; does not close the target, which the caller commits. */
    private static final class Hashing extends FilterOutputStream {
        private final MessageDigest sha;
        private long count;

        Hashing(OutputStream out) {
            super(out);
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            sha.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
