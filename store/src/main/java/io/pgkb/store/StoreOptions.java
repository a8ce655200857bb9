package io.pgkb.store;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.Sizes;
import java.net.URI;
import java.net.URISyntaxException;
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

    @Option(names = "--s3-part-size", paramLabel = "SIZE", defaultValue = "8MiB",
            description = "Multipart part size; also the largest object sent in one PUT (default: ${DEFAULT-VALUE})")
    public String s3PartSize = "8MiB";

    public void validate() {
        if (store == null || store.isBlank()) {
            throw new PgkbException.ConfigException("--store: missing store location");
        }
        s3Options();
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
        long part;
        try {
            part = Sizes.parse(s3PartSize);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--s3-part-size: " + e.getMessage());
        }
        if (part < S3Options.MIN_PART_SIZE) {
            throw new PgkbException.ConfigException("--s3-part-size: must be at least 5MiB, got " + s3PartSize);
        }
        return new S3Options(endpoint, s3PathStyle, s3Region, part, null);
    }

    public ObjectStore open() {
        return ObjectStores.open(store, s3Options());
    }
}
