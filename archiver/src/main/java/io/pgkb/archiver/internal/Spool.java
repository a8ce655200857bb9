package io.pgkb.archiver.internal;

import io.pgkb.schemas.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This archiver's spool directory: the local files of open segments and of records being quarantined, under
 * {@code <parent>/archiver-<pid>-<uuid>}. Nothing in it is needed after the process ends (Kafka still has those
 * records), so it is deleted on stop, and the directories of archivers that died are deleted on start.
 */
public final class Spool {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final Path parent;
    private final Path dir;

    public Spool(Path parent) {
        this.parent = parent;
        this.dir = parent.resolve("archiver-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    }

    public Path dir() {
        return dir;
    }

    /** Creates the directory and removes those of archivers that died (SIGKILL). */
    public void open() throws IOException {
        Files.createDirectories(dir);
        deleteStale();
    }

    /** The spool file of a partition's segment starting at {@code offset}. */
    public Path segmentFile(TopicPartition tp, long offset) {
        return dir.resolve(Names.escape(tp.topic()) + "-" + tp.partition() + "-" + offset + ".spool");
    }

    /** A fresh spool file for a record being quarantined. */
    public Path quarantineFile() {
        return dir.resolve("quarantine-" + UUID.randomUUID() + ".spool");
    }

    /** Spool directories of archivers that died (SIGKILL) hold nothing anyone needs: Kafka has those records. */
    private void deleteStale() {
        try (var dirs = Files.list(parent)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String[] parts = d.getFileName().toString().split("-");
                if (parts.length < 3 || !parts[0].equals("archiver") || d.equals(dir)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    deleteDir(d);
                    log.info("stale spool directory removed dir={}", d);
                }
            }
        } catch (IOException e) {
            log.warn("cannot clean stale spool directories dir={} error={}", parent, e.getMessage());
        }
    }

    /** Deletes this archiver's directory and what is left in it. */
    public void delete() {
        try {
            deleteDir(dir);
        } catch (IOException e) {
            log.warn("cannot clean spool dir={} error={}", dir, e.getMessage());
        }
    }

    private static void deleteDir(Path d) throws IOException {
        try (var files = Files.list(d)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(d);
    }
}
