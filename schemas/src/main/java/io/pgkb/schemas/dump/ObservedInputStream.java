package io.pgkb.schemas.dump;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that shows every byte read through it to {@link #seen} and reports the end once to {@link #ended}.
 * Skipping reads, so no byte escapes a checksum or a count.
 */
abstract class ObservedInputStream extends FilterInputStream {
    private final byte[] one = new byte[1];

    ObservedInputStream(InputStream in) {
        super(in);
    }

    abstract void seen(byte[] b, int off, int n);

    abstract void ended() throws IOException;

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            ended();
        } else {
            one[0] = (byte) b;
            seen(one, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            ended();
        } else if (n > 0) {
            seen(b, off, n);
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
}
