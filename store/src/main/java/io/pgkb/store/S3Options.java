package io.pgkb.store;

import io.pgkb.schemas.config.Sizes;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How to reach an S3-compatible store. Credentials come from the standard AWS chain (environment,
 * system properties, profile, instance role) unless a provider is given (tests).
 *
 * @param endpoint     override for S3-compatible servers ({@code --s3-endpoint}); null for AWS
 * @param pathStyle    path-style addressing ({@code http://host/bucket/key}), needed by most non-AWS servers
 * @param region       signing region; null takes the AWS chain's region, or us-east-1 with an endpoint
 * @param partSizeBytes multipart part size; objects up to this size go in one PUT. At least 5 MiB (S3's minimum)
 * @param credentials  explicit credentials provider, null for the default chain
 */
public record S3Options(URI endpoint, boolean pathStyle, String region, long partSizeBytes,
                        AwsCredentialsProvider credentials) {
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** As an operator types it: {@code --s3-part-size}'s default. */
    public static final String DEFAULT_PART_SIZE_TEXT = "8MiB";
    public static final long DEFAULT_PART_SIZE = Sizes.parse(DEFAULT_PART_SIZE_TEXT);

    public S3Options {
        if (partSizeBytes < MIN_PART_SIZE || partSizeBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("S3 part size must be between 5MiB and 2GiB, got " + partSizeBytes);
        }
    }

    public static S3Options defaults() {
        return new S3Options(null, false, null, DEFAULT_PART_SIZE, null);
    }

    public S3Options withEndpoint(URI newEndpoint, boolean newPathStyle) {
        return new S3Options(newEndpoint, newPathStyle, region, partSizeBytes, credentials);
    }

    public S3Options withCredentials(AwsCredentialsProvider provider) {
        return new S3Options(endpoint, pathStyle, region, partSizeBytes, provider);
    }

    public S3Options withPartSize(long bytes) {
        return new S3Options(endpoint, pathStyle, region, bytes, credentials);
    }

    public S3Options withRegion(String newRegion) {
        return new S3Options(endpoint, pathStyle, newRegion, partSizeBytes, credentials);
    }

    /** No credentials: they are never part of the printable form. */
    @Override
    public String toString() {
        return "S3Options[endpoint=" + endpoint + ", pathStyle=" + pathStyle + ", region=" + region
                + ", partSizeBytes=" + partSizeBytes + "]";
    }
}
