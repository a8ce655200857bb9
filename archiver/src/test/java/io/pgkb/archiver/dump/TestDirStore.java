package io.pgkb.archiver.dump;

import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A directory-backed store for tests until the archiver's FileSystemStore is merged: temp file + rename on commit. */
final class TestDirStore implements ObjectStore {
    private final Path root;

    TestDirStore(Path root) {
        this.root = root;
    }

    @Override
    public ObjectWriter create(String key) throws IOException {
        Path target = root.resolve(key);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
        OutputStream out = Files.newOutputStream(tmp);
        return new ObjectWriter() {
            boolean committed;

            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void commit() throws IOException {
                out.close();
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                committed = true;
            }

            @Override
            public void close() throws IOException {
                out.close();
                if (!committed) {
                    Files.deleteIfExists(tmp);
                }
            }
        };
    }

    @Override
    public InputStream open(String key) throws IOException {
        Path p = root.resolve(key);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        return Files.newInputStream(p);
    }

    @Override
    public boolean exists(String key) {
        return Files.exists(root.resolve(key));
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String key = root.relativize(p).toString().replace('\\', '/');
                if (key.startsWith(prefix) && !p.getFileName().toString().startsWith(".tmp-")) {
                    out.add(new ObjectInfo(key, Files.size(p)));
                }
            }
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(root.resolve(key));
    }

    @Override
    public String describe(String key) {
        return root.resolve(key).toString();
    }

    @Override
    public void close() {
    }
}
