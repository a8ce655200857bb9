package io.pgkb.store;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * An archive in a local (or mounted) directory. A write goes to a hidden temp file in the target directory,
 * is fsynced, renamed atomically onto its final name and the directory is fsynced, so after a crash a key
 * either holds the complete object or does not exist. Temp files left by a crash are never listed.
 */
public final class FileSystemStore implements ObjectStore {
    static final String TEMP_PREFIX = ".pgkb-tmp-";

    private final Path root;

    public FileSystemStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    public Path root() {
        return root;
    }

    @Override
    public ObjectWriter create(String key) throws IOException {
        Path target = resolve(key);
        Path dir = target.getParent();
        createDirectoriesDurably(dir);
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FsWriter(channel, temp, target);
    }

    @Override
    public InputStream open(String key) throws IOException {
        Path p = resolve(key);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(describe(key));
        }
        return Files.newInputStream(p);
    }

    @Override
    public boolean exists(String key) throws IOException {
        return Files.isRegularFile(resolve(key));
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        // Walk only the deepest directory the prefix names, then filter by the full prefix.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : resolveDir(prefix.substring(0, slash));
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.isDirectory(start)) {
            return out;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    String key = keyOf(file);
                    if (key.startsWith(prefix)) {
                        out.add(new ObjectInfo(key, attrs.size()));
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // deleted (or renamed temp) while walking
                }
                throw exc;
            }
        });
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        Path p = resolve(key);
        if (Files.deleteIfExists(p)) {
            fsyncDirectory(p.getParent());
        }
    }

    @Override
    public String describe(String key) {
        return root.resolve(key).toString();
    }

    @Override
    public void close() {
    }

    private String keyOf(Path file) {
        return root.relativize(file).toString().replace(File.separatorChar, '/');
    }

    private Path resolve(String key) {
        if (key == null || key.isEmpty() || key.endsWith("/")) {
            throw new IllegalArgumentException("not an object key: '" + key + "'");
        }
        return resolveDir(key);
    }

    private Path resolveDir(String relative) {
        if (relative.startsWith("/") || relative.contains("\\")) {
            throw new IllegalArgumentException("object key must be a relative '/'-separated path: '" + relative + "'");
        }
        for (String part : relative.split("/")) {
            if (part.equals("..") || part.equals(".") || part.startsWith(TEMP_PREFIX)) {
                throw new IllegalArgumentException("object key must not contain '" + part + "': '" + relative + "'");
            }
        }
        return root.resolve(relative);
    }

    /** Creates missing directories and fsyncs each new one's parent, so the path survives a crash. */
    private void createDirectoriesDurably(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        createDirectoriesDurably(dir.getParent());
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            return; // created concurrently
        }
        fsyncDirectory(dir.getParent());
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open directories for fsync; the rename is still atomic there.
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw e;
            }
        }
    }

    private static final class FsWriter extends ObjectWriter {
        private final FileChannel channel;
        private final OutputStream out;
        private final Path temp;
        private final Path target;
        private boolean done;

        FsWriter(FileChannel channel, Path temp, Path target) {
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            this.temp = temp;
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            checkOpen();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            checkOpen();
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            checkOpen();
            out.flush();
        }

        @Override
        public void commit() throws IOException {
            checkOpen();
            try {
                out.flush();
                channel.force(true);
                channel.close();
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                done = true;
                fsyncDirectory(target.getParent());
            } finally {
                if (!done) {
                    discard();
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                discard();
            }
        }

        private void discard() throws IOException {
            done = true;
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }

        private void checkOpen() throws IOException {
            if (done) {
                throw new IOException("object writer for " + target + " is already committed or closed");
            }
        }
    }
}
