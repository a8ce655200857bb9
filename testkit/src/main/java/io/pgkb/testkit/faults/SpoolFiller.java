package io.pgkb.testkit.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archivers' spool directory on a small file system of its own (a 32 MiB tmpfs; needs root, which the build
 * machines give inside their user namespace), so the campaign can fill it to the last byte and free it again.
 * Without root the directory is a plain one and the fault is skipped.
 */
final class SpoolFiller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpoolFiller.class);

    private final Path directory;
    private final boolean mounted;

    private SpoolFiller(Path directory, boolean mounted) {
        this.directory = directory;
        this.mounted = mounted;
    }

    static SpoolFiller mount(Path directory, boolean wanted) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        boolean mounted = wanted && run("mount", "-t", "tmpfs", "-o", "size=32m", "pgkb-faults-spool", directory.toString()) == 0;
        if (wanted && !mounted) {
            log.warn("cannot mount a tmpfs on {} (not root?): the spool-full fault is skipped", directory);
        }
        return new SpoolFiller(directory, mounted);
    }

    Path directory() {
        return directory;
    }

    boolean canFill() {
        return mounted;
    }

    /** Writes a file until the file system is full; returns its size. */
    long fill() throws IOException {
        long written = 0;
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler())) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            // ENOSPC: the point
        }
        return Files.exists(filler()) ? Files.size(filler()) : written;
    }

    void release() throws IOException {
        Files.deleteIfExists(filler());
    }

    private Path filler() {
        return directory.resolve("filler");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        release();
        if (mounted && run("umount", directory.toString()) != 0) {
            log.warn("cannot unmount {}", directory);
        }
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
