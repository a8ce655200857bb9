package io.pgkb.restorer.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** History entries kept in a temporary file until the run that produced them is known to stand (bounded memory). */
final class HistorySpool implements AutoCloseable {
    private final Path file;
    private final ObjectOutputStream out;
    private long count;

    HistorySpool() throws IOException {
        file = Files.createTempFile("pgkb-history-", ".bin");
        file.toFile().deleteOnExit();
        out = new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    void add(History.Entry e) {
        try {
            out.writeObject(e);
            if (++count % 1000 == 0) {
                out.reset(); // the stream would otherwise keep every object written
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    void replay(Consumer<History.Entry> to) throws IOException {
        out.close();
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (long i = 0; i < count; i++) {
                to.accept((History.Entry) in.readObject());
            }
        } catch (ClassNotFoundException | EOFException e) {
            throw new IOException("history spool " + file + " unreadable: " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
        Files.deleteIfExists(file);
    }
}
