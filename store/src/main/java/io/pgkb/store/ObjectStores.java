package io.pgkb.store;

import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Opens the store named by {@code --store}: a plain path, {@code file://…} or {@code s3://bucket/prefix}. */
public final class ObjectStores {
    private ObjectStores() {
    }

    public static ObjectStore open(String uri, S3Options s3) {
        if (uri == null || uri.isBlank()) {
            throw new PgkbException.ConfigException("--store: missing store location");
        }
        try {
            if (uri.startsWith("s3://")) {
                String rest = uri.substring("s3://".length());
                int slash = rest.indexOf('/');
                String bucket = slash < 0 ? rest : rest.substring(0, slash);
                String prefix = slash < 0 ? "" : rest.substring(slash + 1);
                if (bucket.isEmpty()) {
                    throw new PgkbException.ConfigException("--store: no bucket in '" + uri + "' (expected s3://bucket/prefix)");
                }
                return new S3Store(bucket, prefix, s3 == null ? S3Options.defaults() : s3);
            }
            if (uri.startsWith("file:")) {
                return new FileSystemStore(Path.of(new URI(uri)));
            }
            if (uri.matches("^[A-Za-z][A-Za-z0-9+.-]+://.*")) {
                throw new PgkbException.ConfigException("--store: unsupported scheme in '" + uri + "' (use a path, file://… or s3://bucket/prefix)");
            }
            return new FileSystemStore(Path.of(uri));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--store: invalid location '" + uri + "': " + e.getMessage(), e);
        } catch (IOException e) {
            throw new PgkbException.ConfigException("--store: cannot open '" + uri + "': " + e.getMessage(), e);
        }
    }
}
