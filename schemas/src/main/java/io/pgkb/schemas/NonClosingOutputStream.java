package io.pgkb.schemas;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Hands a stream to a writer that closes what it is given (Avro's DataFileWriter, a logback appender) while the
 * caller keeps owning it: close() only flushes. Writes go through in blocks, not byte by byte as FilterOutputStream's do.
 */
public final class NonClosingOutputStream extends FilterOutputStream {
    public NonClosingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
