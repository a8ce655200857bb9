package io.pgkb.archiver;

import io.pgkb.store.ForwardingStore;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;

/**
 * The archiver with a store that kills the whole process (halt, like SIGKILL: no hooks, no cleanup) right before
 * the Nth table segment would be committed, i.e. after its bytes (for S3: its first multipart parts) were sent.
 * Env: PGKB_CRASH_AT_SEGMENT (N), PGKB_CRASH_MARKER (file that receives the key being written).
 */
public final class CrashingArchiverMain {
    private CrashingArchiverMain() {
    }

    public static void main(String[] args) throws Exception {
        ArchiveCommand cmd = new ArchiveCommand();
        new CommandLine(cmd).parseArgs(args);
        ArchiverConfig config = cmd.validate();
        int crashAt = Integer.parseInt(System.getenv("PGKB_CRASH_AT_SEGMENT"));
        Path marker = Path.of(System.getenv("PGKB_CRASH_MARKER"));
        try (ObjectStore real = cmd.store.open()) {
            new Archiver(config, new CrashingStore(real, crashAt, marker)).run();
        }
    }

    private static final class CrashingStore extends ForwardingStore {
        private final int crashAt;
        private final Path marker;
        private final AtomicInteger segmentCommits = new AtomicInteger();

        CrashingStore(ObjectStore delegate, int crashAt, Path marker) {
            super(delegate);
            this.crashAt = crashAt;
            this.marker = marker;
        }

        @Override
        public ObjectWriter create(String key) throws IOException {
            ObjectWriter w = delegate.create(key);
            return new ObjectWriter() {
                @Override
                public void write(int b) throws IOException {
                    w.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    w.write(b, off, len);
                }

                @Override
                public void commit() throws IOException {
                    if (key.contains("/tables/") && segmentCommits.incrementAndGet() == crashAt) {
                        Files.writeString(marker, key, StandardCharsets.UTF_8);
                        Runtime.getRuntime().halt(137);
                    }
                    w.commit();
                }

                @Override
                public void close() throws IOException {
                    w.close();
                }
            };
        }
    }
}
