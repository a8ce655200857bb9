package io.pgkb.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where the archive lives: a filesystem directory or an S3-compatible bucket. Keys are '/'-separated
 * relative paths (see {@link io.pgkb.schemas.ArchiveLayout}).
 *
 * <p>Contract: nothing half-written is ever visible under a final key. {@link #create} returns a stream whose
 * content becomes visible only on {@link ObjectWriter#commit()} (filesystem: temp file, fsync, rename, fsync
 * directory; S3: one PUT or a completed multipart upload); closing without commit discards it.
 */
public interface ObjectStore extends AutoCloseable {

    /** Starts writing {@code key}. Memory stays bounded whatever the size written. */
    ObjectWriter create(String key) throws IOException;

    /** Convenience: writes a small object whole and commits it. */
    default void put(String key, byte[] content) throws IOException {
        try (ObjectWriter w = create(key)) {
            w.write(content);
            w.commit();
        }
    }

    /** Opens an object for reading; {@link java.nio.file.NoSuchFileException} when it does not exist. */
    InputStream open(String key) throws IOException;

    /** Reads a small object whole. */
    default byte[] get(String key) throws IOException {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        }
    }

    boolean exists(String key) throws IOException;

    /** Every object whose key starts with {@code prefix}, at any depth, sorted by key. */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Whether any object's key starts with {@code prefix}; a store that can, answers without listing them all. */
    default boolean anyUnder(String prefix) throws IOException {
        return !list(prefix).isEmpty();
    }

    /** Deletes an object; deleting a missing object is not an error. */
    void delete(String key) throws IOException;

    /** A printable location for messages, e.g. {@code s3://bucket/prefix/key} or a file path. No secrets. */
    String describe(String key);

    @Override
    void close() throws IOException;

    record ObjectInfo(String key, long size) {
    }

    /** An object being written; {@link #commit()} publishes it atomically, {@link #close()} alone discards. */
    abstract class ObjectWriter extends OutputStream {
        public abstract void commit() throws IOException;
    }
}
