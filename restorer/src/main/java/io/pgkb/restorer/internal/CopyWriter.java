package io.pgkb.restorer.internal;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/** Streams rows in COPY text format into a {@code COPY … FROM STDIN}, a buffer of 64 KiB at a time. */
final class CopyWriter implements Closeable {
    private static final int FLUSH_AT = 1 << 16;
    private final CopyIn in;
    private final StringBuilder buf = new StringBuilder(FLUSH_AT + 1024);
    private boolean firstField = true;
    private long rows;

    CopyWriter(CopyManager copy, String sql) throws SQLException {
        this.in = copy.copyIn(sql);
    }

    void field(String value) throws SQLException {
        if (!firstField) {
            buf.append('\t');
        }
        firstField = false;
        CopyText.append(buf, value);
        if (buf.length() >= FLUSH_AT) {
            flush();
        }
    }

    void field(boolean value) throws SQLException {
        field(value ? "t" : "f");
    }

    void endRow() throws SQLException {
        buf.append('\n');
        firstField = true;
        rows++;
        if (buf.length() >= FLUSH_AT) {
            flush();
        }
    }

    private void flush() throws SQLException {
        byte[] b = buf.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(b, 0, b.length);
        buf.setLength(0);
    }

    /** Ends the COPY; returns the rows the server took. */
    long finish() throws SQLException {
        flush();
        return in.endCopy();
    }

    long rows() {
        return rows;
    }

    @Override
    public void close() {
        if (in.isActive()) {
            try {
                in.cancelCopy();
            } catch (SQLException ignored) {
                // the connection is failing anyway
            }
        }
    }
}
