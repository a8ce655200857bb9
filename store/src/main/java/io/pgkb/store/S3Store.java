package io.pgkb.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An archive in an S3 bucket under a key prefix. Small objects are one PUT; larger ones a multipart upload
 * whose parts are sent from one fixed buffer of {@link S3Options#partSizeBytes()}, so memory is bounded per
 * open writer. An object becomes visible only when the PUT or CompleteMultipartUpload succeeds; a writer
 * closed without commit (or failing) aborts its multipart upload.
 */
public final class S3Store implements ObjectStore {
    private static final Logger log = LoggerFactory.getLogger(S3Store.class);

    private final S3Client s3;
    private final String bucket;
    private final String prefix; // "" or ends with '/'
    private final int partSize;

    public S3Store(String bucket, String prefix, S3Options options) {
        this.bucket = bucket;
        String p = prefix == null ? "" : prefix.replaceAll("^/+", "");
        this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
        this.partSize = (int) options.partSizeBytes();
        this.s3 = client(options);
    }

    private static S3Client client(S3Options o) {
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .credentialsProvider(o.credentials() != null ? o.credentials() : DefaultCredentialsProvider.builder().build())
                .forcePathStyle(o.pathStyle())
                // S3-compatible servers often reject the SDK's default trailing-checksum chunked uploads
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (o.endpoint() != null) {
            b.endpointOverride(o.endpoint());
        }
        b.region(Region.of(o.region() != null ? o.region() : regionFromChain(o)));
        return b.build();
    }

    private static String regionFromChain(S3Options o) {
        try {
            return new DefaultAwsRegionProviderChain().getRegion().id();
        } catch (SdkException e) {
            if (o.endpoint() != null) {
                return "us-east-1"; // S3-compatible servers mostly ignore the region but the signer needs one
            }
            throw new IllegalArgumentException("no AWS region configured: set --s3-region or AWS_REGION");
        }
    }

    @Override
    public ObjectWriter create(String key) {
        return new S3Writer(fullKey(key));
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return s3.getObject(r -> r.bucket(bucket).key(fullKey(key)));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(describe(key));
        } catch (SdkException e) {
            throw new IOException("cannot read " + describe(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        try {
            s3.headObject(r -> r.bucket(bucket).key(fullKey(key)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new IOException("cannot check " + describe(key) + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("cannot check " + describe(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<ObjectInfo> list(String keyPrefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix + keyPrefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
                out.add(new ObjectInfo(o.key().substring(prefix.length()), o.size()));
            }
        } catch (SdkException e) {
            throw new IOException("cannot list " + describe(keyPrefix) + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public boolean anyUnder(String keyPrefix) throws IOException {
        try {
            return s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix + keyPrefix).maxKeys(1)).keyCount() > 0;
        } catch (SdkException e) {
            throw new IOException("cannot list " + describe(keyPrefix) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(fullKey(key)));
        } catch (NoSuchKeyException e) {
            // already gone
        } catch (SdkException e) {
            throw new IOException("cannot delete " + describe(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe(String key) {
        return "s3://" + bucket + "/" + prefix + key;
    }

    @Override
    public void close() {
        s3.close();
    }

    private String fullKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/")) {
            throw new IllegalArgumentException("not an object key: '" + key + "'");
        }
        return prefix + key;
    }

    private final class S3Writer extends ObjectWriter {
        private final String key;
        private final byte[] buffer = new byte[partSize];
        private int filled;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();
        private boolean done;

        S3Writer(String key) {
            this.key = key;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            checkOpen();
            while (len > 0) {
                if (filled == buffer.length) {
                    uploadPart();
                }
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        private void uploadPart() throws IOException {
            try {
                if (uploadId == null) {
                    uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
                    log.debug("multipart upload started key={} uploadId={}", key, uploadId);
                }
                int number = parts.size() + 1;
                String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromBytes(Arrays.copyOf(buffer, filled))).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                filled = 0;
            } catch (SdkException e) {
                abortQuietly();
                throw new IOException("cannot upload part of s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void commit() throws IOException {
            checkOpen();
            try {
                if (uploadId == null) {
                    s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(Arrays.copyOf(buffer, filled)));
                } else {
                    if (filled > 0) {
                        uploadPart();
                    }
                    s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
                }
                done = true;
            } catch (SdkException e) {
                abortQuietly();
                throw new IOException("cannot write s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (!done) {
                abortQuietly();
            }
        }

        private void abortQuietly() {
            done = true;
            if (uploadId != null) {
                try {
                    s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
                } catch (SdkException e) {
                    log.warn("could not abort multipart upload key={} uploadId={} error={}", key, uploadId, e.getMessage());
                }
            }
        }

        private void checkOpen() throws IOException {
            if (done) {
                throw new IOException("object writer for s3://" + bucket + "/" + key + " is already committed or closed");
            }
        }
    }
}
