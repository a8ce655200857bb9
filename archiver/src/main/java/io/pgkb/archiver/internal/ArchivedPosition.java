package io.pgkb.archiver.internal;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a partition's archive ends: what an assigned partition resumes after. */
public final class ArchivedPosition {
    private static final Logger log = LoggerFactory.getLogger(ArchivedPosition.class);
    /** Listings of a partition's segments at assignment: 5 attempts, 1+2+4+8 s apart. */
    private static final int LIST_ATTEMPTS = 5;

    private ArchivedPosition() {
    }

    /**
     * After the last offset of the segments in {@code dir}, or -1. A failing listing is tried again for a while (a
     * store may answer 500 or 503 for a moment, past the client's own retries): the partition cannot start without
     * it, and giving up at once would stop the whole archiver. Bounded, well inside max.poll.interval.ms.
     */
    public static long nextOffset(ObjectStore store, String dir) {
        for (int attempt = 1; ; attempt++) {
            try {
                long last = -1;
                for (ObjectStore.ObjectInfo o : store.list(dir)) {
                    long[] range = ArchiveLayout.parseSegmentName(o.key().substring(o.key().lastIndexOf('/') + 1));
                    if (range != null) {
                        last = Math.max(last, range[1]);
                    }
                }
                return last < 0 ? -1 : last + 1;
            } catch (IOException e) {
                if (attempt >= LIST_ATTEMPTS) {
                    throw new PgkbException.FatalException("cannot list " + store.describe(dir) + " (" + attempt
                            + " attempts): " + e.getMessage(), e);
                }
                log.warn("archive listing failed, trying again dir={} attempt={} error={}", store.describe(dir), attempt, e.toString());
                try {
                    Thread.sleep(1000L << (attempt - 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new PgkbException.FatalException("interrupted while listing " + store.describe(dir));
                }
            }
        }
    }
}
