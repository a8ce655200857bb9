package io.pgkb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.testkit.junit.RealServices;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

@RealServices
class LocalS3IT {

    @Test
    void putGetListAndMissingKeyThroughAwsSdkV2(LocalS3 s3) {
        s3.createBucket("archive");
        try (S3Client client = S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build()) {
            byte[] body = "segment bytes \u00e9".getBytes(StandardCharsets.UTF_8);
            client.putObject(b -> b.bucket("archive").key("pgkb/v1/tables/public.t/segments/0/0-9.avro"),
                    RequestBody.fromBytes(body));

            byte[] read = client.getObjectAsBytes(b -> b.bucket("archive")
                    .key("pgkb/v1/tables/public.t/segments/0/0-9.avro")).asByteArray();
            assertThat(read).isEqualTo(body);
            assertThat(client.listObjectsV2(b -> b.bucket("archive").prefix("pgkb/v1/")).contents())
                    .extracting(S3Object::key).containsExactly("pgkb/v1/tables/public.t/segments/0/0-9.avro");
            assertThatThrownBy(() -> client.getObjectAsBytes(b -> b.bucket("archive").key("missing")))
                    .isInstanceOf(NoSuchKeyException.class);
        }
    }

    @Test
    void wrongSecretIsRejected(LocalS3 s3) {
        s3.createBucket("locked");
        try (S3Client client = S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), "wrong-" + s3.secretKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build()) {
            assertThatThrownBy(() -> client.putObject(b -> b.bucket("locked").key("k"), RequestBody.fromString("x")))
                    .hasMessageContaining("403");
        }
    }
}
