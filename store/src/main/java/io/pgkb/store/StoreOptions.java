package io.pgkb.store;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.Sizes;
import io.pgkb.store.encryption.ArchiveEncryption;
import io.pgkb.store.encryption.KeyFile;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --store} and S3 options shared by every command that reads or writes the archive (a picocli mixin). */
public final class StoreOptions {
    @Option(names = "--store", required = true, paramLabel = "URI",
            description = "Archive location: a path, file:///path or s3://bucket/prefix")
    public String store;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "Endpoint of an S3-compatible server, e.g. http://localhost:9000 (default: AWS)")
    public String s3Endpoint;

    @Option(names = "--s3-path-style", defaultValue = "false",
            description = "Use path-style S3 addressing (most S3-compatible servers need it) (default: ${DEFAULT-VALUE})")
    public boolean s3PathStyle;

    @Option(names = "--s3-region", paramLabel = "REGION",
            description = "S3 signing region (default: from the AWS chain; us-east-1 with --s3-endpoint)")
    public String s3Region;

    @Option(names = "--s3-part-size", paramLabel = "SIZE", defaultValue = S3Options.DEFAULT_PART_SIZE_TEXT,
            description = "Multipart part size; also the largest object sent in one PUT (default: ${DEFAULT-VALUE})")
    public String s3PartSize = S3Options.DEFAULT_PART_SIZE_TEXT;

    @Option(names = "--encryption-key-file", paramLabel = "FILE", defaultValue = "${env:PGKB_ENCRYPTION_KEY_FILE}",
            description = "Key file made by pgkb keygen: every object is encrypted on its way to the store and decrypted on"
                    + " its way back; the file must be mode 0600 (default: $PGKB_ENCRYPTION_KEY_FILE, else no encryption)")
    public String encryptionKeyFile;

    private KeyFile keys;

    public void validate() {
        if (store == null || store.isBlank()) {
            throw new PgkbException.ConfigException("--store: missing store location");
        }
        s3Options();
        keys();
    }

    /** The key file of --encryption-key-file (or PGKB_ENCRYPTION_KEY_FILE), read once; null without one. */
    public KeyFile keys() {
        if (keys == null && encryptionKeyFile != null && !encryptionKeyFile.isBlank()) {
            keys = KeyFile.load(Path.of(encryptionKeyFile));
        }
        return keys;
    }

    public S3Options s3Options() {
        URI endpoint = null;
        if (s3Endpoint != null && !s3Endpoint.isBlank()) {
            try {
                endpoint = new URI(s3Endpoint);
            } catch (URISyntaxException e) {
                throw new PgkbException.ConfigException("--s3-endpoint: not a URL: '" + s3Endpoint + "'");
            }
            if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                throw new PgkbException.ConfigException("--s3-endpoint: expected http(s)://host[:port], got '" + s3Endpoint + "'");
            }
        }
        long part = Sizes.option("--s3-part-size", s3PartSize);
        if (part < S3Options.MIN_PART_SIZE) {
            throw new PgkbException.ConfigException("--s3-part-size: must be at least 5MiB, got " + s3PartSize);
        }
        return new S3Options(endpoint, s3PathStyle, s3Region, part, null);
    }

    /**
     * The store, encrypting with the key file when one is given. Each archive namespace is checked before its
     * first object is touched: an encrypted archive is never written or read in clear, nor a clear one with a key.
     */
    public ObjectStore open() {
        return ArchiveEncryption.wrap(ObjectStores.open(store, s3Options()), keys());
    }

    /** {@link #open()}, with the archive of {@code topicPrefix} checked at once (exit 2 before any work). */
    public ObjectStore openArchive(String topicPrefix, boolean write) {
        ObjectStore s = open();
        try {
            ArchiveFormat.requireSupported(s, topicPrefix);
            ArchiveEncryption.check(s, new ArchiveLayout(topicPrefix).root(), write);
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new PgkbException.FatalException("cannot read " + s.describe(new ArchiveLayout(topicPrefix).root())
                    + ": " + e.getMessage(), e);
        }
    }
}
