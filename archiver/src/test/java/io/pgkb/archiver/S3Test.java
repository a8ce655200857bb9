package io.pgkb.archiver;

import io.pgkb.store.S3Options;
import io.pgkb.testkit.LocalS3;
import java.util.List;
import java.util.Map;
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

    /** The command-line options of an archiver process that uses it. */
    static List<String> cliArgs(LocalS3 s3) {
        return List.of("--s3-endpoint", s3.endpoint().toString(), "--s3-path-style");
    }

    /** The environment of an archiver process that uses it: its credentials and region. */
    static Map<String, String> environment(LocalS3 s3) {
        return Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(), "AWS_REGION", "us-east-1");
    }
}
