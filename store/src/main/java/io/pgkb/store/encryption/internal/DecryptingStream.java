package io.pgkb.store.encryption.internal;

import io.pgkb.schemas.PgkbException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The plaintext of one object. Tink reports a failed authentication as an {@link IOException}, like a failed
 * read: this stream tells them apart. An error of the store's own stream passes through unchanged (a network
 * blip stays a runtime failure); any other failure of the decryption means the bytes are not what the key wrote
 * under this name, and becomes an {@link PgkbException.ArchiveIncompleteException} (exit 3) naming the object.
 */
public final class DecryptingStream extends FilterInputStream {
    private final Watched raw;
    private final String failure;

    /**
     * @param plaintext Tink's decrypting stream over {@code raw}
     * @param failure   the message when authentication fails, naming the object and the key
     */
    public DecryptingStream(InputStream plaintext, Watched raw, String failure) {
        super(plaintext);
        this.raw = raw;
        this.failure = failure;
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw classify(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException e) {
            throw classify(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException e) {
            throw classify(e);
        }
    }

    private IOException classify(IOException e) {
        if (raw.failure != null) {
            return raw.failure;
        }
        throw new PgkbException.ArchiveIncompleteException(failure);
    }

    /** The store's stream, remembering whether it failed itself. */
    public static final class Watched extends FilterInputStream {
        IOException failure;

        public Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }
}
