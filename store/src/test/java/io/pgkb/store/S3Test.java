package io.pgkb.store;

import io.pgkb.testkit.LocalS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** S3 options for testkit's S3 server: path-style, smallest legal part size, its credentials. */
final class S3Test {
    private S3Test() {
    }

    static S3Options options(LocalS3 s3) {
        return new S3Options(s3.endpoint(), true, s3.region(), S3Options.MIN_PART_SIZE,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())));
    }
}
