package io.pgkb.cli;

import io.pgkb.testkit.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real hot standby: a fresh server's data directory, copied while it is cleanly stopped (a base backup at its
 * shutdown checkpoint), started with {@code standby.signal}. It stays in recovery, waiting for WAL that never comes,
 * and answers read-only queries as any hot standby does. A throwaway primary of its own keeps the copy small and
 * leaves the test kit's shared server alone.
 */
final class Standby implements AutoCloseable {
    private final LocalPostgres server;
    private final Path root;

    private Standby(LocalPostgres server, Path root) {
        this.server = server;
        this.root = root;
    }

    static Standby start() throws IOException {
        Path root = Files.createTempDirectory("pgkb-standby-");
        Path data = root.resolve("data");
        try (LocalPostgres primary = LocalPostgres.start()) {
            Path primaryData = primary.dataDirectory();
            primary.stop();
            copy(primaryData, data);
            Files.copy(primaryData.resolveSibling(primaryData.getFileName() + ".password"), root.resolve("data.password"));
        }
        // PostgreSQL refuses a data directory that group or others may read
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        Files.createFile(data.resolve("standby.signal"));
        return new Standby(LocalPostgres.start(data, 0, Map.of("hot_standby", "on")), root);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("epg-lock")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    LocalPostgres server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
