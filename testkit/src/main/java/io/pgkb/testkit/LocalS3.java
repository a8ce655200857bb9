package io.pgkb.testkit;

import io.pgkb.testkit.internal.Files2;
import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3 API server (S3Proxy) on a loopback port, keeping objects in memory (jclouds' transient store).
 * Clients use path-style access, region {@code us-east-1} and the fixed credentials below (AWS signature v2
 * or v4).
 *
 * <p>Needs {@code org.gaul:s3proxy} on the class path: testkit declares it optional, so a module that uses
 * LocalS3 adds it in test scope.
 */
public final class LocalS3 implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalS3.class);
    public static final String ACCESS_KEY = "pgkb-access";
    public static final String SECRET_KEY = "pgkb-secret-key";
    public static final String REGION = "us-east-1";

    private final BlobStoreContext context;
    private final int port;
    private S3Proxy proxy;

    private LocalS3(BlobStoreContext context, S3Proxy proxy, int port) {
        this.context = context;
        this.proxy = proxy;
        this.port = port;
    }

    public static LocalS3 start() {
        long t0 = System.nanoTime();
        // In memory: S3Proxy 3.0.0's filesystem-nio2 store lists a PUT's temporary file before its extended attributes
        // exist (S3Proxy issue 963) and answers the whole LIST with 500 - for good, when the client was killed
        // mid-upload, which ArchiverGroupIT does on purpose. jclouds' transient store has atomic PUTs.
        BlobStoreContext context = ContextBuilder.newBuilder("transient")
                .credentials("unused", "unused")
                .buildView(BlobStoreContext.class);
        int port = Files2.freePort();
        S3Proxy proxy;
        try {
            proxy = serve(context, port);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        LocalS3 s3 = new LocalS3(context, proxy, port);
        log.info("s3 started endpoint={} millis={}", s3.endpoint(), (System.nanoTime() - t0) / 1_000_000);
        return s3;
    }

    private static S3Proxy serve(BlobStoreContext context, int port) {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy not started after 30s, state " + proxy.getState());
                }
                Thread.onSpinWait();
            }
            return proxy;
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy: " + e.getMessage(), e);
        }
    }

    /** An outage: the S3 endpoint stops answering (connections refused); the objects are kept for {@link #startAgain()}. */
    public synchronized void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy: " + e.getMessage(), e);
        }
        log.info("s3 stopped endpoint={}", endpoint());
    }

    /** Serves the same objects on the same port again after {@link #stop()}. */
    public synchronized void startAgain() {
        proxy = serve(context, port);
        log.info("s3 started again endpoint={}", endpoint());
    }

    /** {@code http://127.0.0.1:port}; use path-style access. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /** Creates the bucket (no-op when it exists). */
    public void createBucket(String bucket) {
        blobStore().createContainerInLocation(null, bucket);
    }

    /** The backing store, for checks that bypass the S3 API. */
    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            log.warn("cannot stop S3Proxy cleanly error={}", e.toString());
        } finally {
            context.close();
        }
    }

    @Override
    public String toString() {
        return "LocalS3{endpoint=" + endpoint() + "}";
    }
}
