package io.pgkb.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.testkit.LocalS3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** S3Store against a real S3 API server (S3Proxy). */
@io.pgkb.testkit.junit.RealServices
class S3StoreIT {
    static LocalS3 s3;

    @BeforeAll
    static void start(LocalS3 shared) {
        s3 = shared;
        s3.createBucket("archive");
    }


    private S3Store store(String prefix) {
        return (S3Store) ObjectStores.open("s3://archive/" + prefix, S3Test.options(s3));
    }

    @Test
    void smallObjectRoundTripsAndListsSorted() throws IOException {
        try (S3Store st = store("small")) {
            st.put("t/2.avro", new byte[] {2});
            st.put("t/1.avro", new byte[] {1});
            st.put("u/1.avro", new byte[] {3});
            assertThat(st.get("t/1.avro")).containsExactly(1);
            assertThat(st.list("t/")).extracting(ObjectStore.ObjectInfo::key).containsExactly("t/1.avro", "t/2.avro");
            assertThat(st.exists("t/2.avro")).isTrue();
            assertThat(st.exists("t/3.avro")).isFalse();
            assertThatThrownBy(() -> st.open("t/3.avro")).isInstanceOf(NoSuchFileException.class);
            st.delete("t/2.avro");
            st.delete("t/2.avro");
            assertThat(st.list("t/")).extracting(ObjectStore.ObjectInfo::key).containsExactly("t/1.avro");
            assertThat(st.describe("t/1.avro")).isEqualTo("s3://archive/small/t/1.avro");
        }
    }

    @Test
    void largeObjectGoesMultipartAndIsInvisibleUntilCommit() throws IOException {
        byte[] big = new byte[(int) (2.5 * S3Options.MIN_PART_SIZE)];
        new Random(7).nextBytes(big);
        try (S3Store st = store("multi")) {
            try (ObjectStore.ObjectWriter w = st.create("seg/big.avro")) {
                for (int off = 0; off < big.length; off += 100_000) {
                    w.write(big, off, Math.min(100_000, big.length - off));
                }
                assertThat(st.list("seg/")).as("parts uploaded, object not yet visible").isEmpty();
                w.commit();
            }
            assertThat(st.list("seg/")).containsExactly(new ObjectStore.ObjectInfo("seg/big.avro", big.length));
            try (InputStream in = st.open("seg/big.avro")) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }
            assertThat(openMultipartUploads()).isZero();
        }
    }

    @Test
    void abortedMultipartWriteLeavesNothingVisible() throws IOException {
        byte[] big = new byte[(int) (1.5 * S3Options.MIN_PART_SIZE)];
        try (S3Store st = store("abort")) {
            try (ObjectStore.ObjectWriter w = st.create("seg/half.avro")) {
                w.write(big); // first part already uploaded
                // closed without commit: a crash or failure mid-upload
            }
            assertThat(st.exists("seg/half.avro")).isFalse();
            assertThat(st.list("")).isEmpty();
            assertThat(openMultipartUploads()).as("multipart upload aborted").isZero();
        }
    }

    @Test
    void wrongCredentialsFailWithoutPrintingTheSecret() {
        S3Options bad = S3Test.options(s3).withCredentials(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("nobody", "very-secret-value")));
        try (S3Store st = (S3Store) ObjectStores.open("s3://archive/x", bad)) {
            assertThatThrownBy(() -> st.put("k", new byte[] {1}))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://archive/x/k")
                    .hasMessageNotContaining("very-secret-value");
        }
    }

    private long openMultipartUploads() {
        try (S3Client c = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(S3Test.options(s3).credentials()).build()) {
            return c.listMultipartUploads(r -> r.bucket("archive")).uploads().size();
        }
    }
}
