package io.pgkb.store;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.StartWait;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * A long-running component that starts while its object store does not answer waits for it, as it waits out an
 * outage once running: it says so at once and then once a minute, and goes on when the store answers. Exiting instead
 * made a service manager's restart loop of it (the fault campaign saw an archiver restarted during an S3 outage exit
 * twice). A store that answers "no" (missing bucket, refused credentials, an archive format it cannot read, a key
 * that does not fit) is still an error at once.
 */
public final class StoreStartWait {
    private static final Logger log = LoggerFactory.getLogger(StoreStartWait.class);
    /** Between attempts: the store is back within this of it answering. */
    public static final Duration RETRY = Duration.ofSeconds(5);

    private StoreStartWait() {
    }

    /** Opens the store with {@code open}, retrying every {@link #RETRY} while the failure is {@link #unreachable}. */
    public static ObjectStore open(Supplier<ObjectStore> open) {
        return open(open, RETRY);
    }

    static ObjectStore open(Supplier<ObjectStore> open, Duration retry) {
        return new StartWait(log, "the object store", "", retry, () -> false).until(open::get,
                e -> unreachable(e) ? null : e instanceof RuntimeException r ? r : new PgkbException.FatalException(e.toString(), e));
    }

    /**
     * Whether the failure says the store did not answer: no connection or no response (the S3 client's own
     * {@link SdkClientException}) or a server error (5xx: S3's "slow down" and "internal error" ask to retry).
     */
    public static boolean unreachable(Throwable e) {
        if (e instanceof PgkbException.ConfigException || e instanceof PgkbException.ArchiveIncompleteException) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SdkClientException) {
                return true;
            }
            if (t instanceof AwsServiceException s) {
                return s.statusCode() >= 500;
            }
        }
        return false;
    }
}
