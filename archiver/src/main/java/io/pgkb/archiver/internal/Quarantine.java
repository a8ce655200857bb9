package io.pgkb.archiver.internal;

import io.pgkb.archiver.ArchiverMetrics;
import io.pgkb.archiver.BadRecordException;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.segment.ArchivedRecord;
import io.pgkb.schemas.segment.SegmentWriter;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a record the archive must not hold as a change: with {@code --on-bad-record fail} the archiver
 * stops ({@link BadRecordException}); with {@code quarantine} the whole record is stored under the layout's
 * quarantine key and the archiver goes on.
 */
public final class Quarantine {
    private static final Logger log = LoggerFactory.getLogger(Quarantine.class);

    private final boolean failOnBadRecord;
    private final ArchiveLayout layout;
    private final ObjectStore store;
    private final Spool spool;
    private final AtomicLong quarantined = new AtomicLong();

    public Quarantine(boolean failOnBadRecord, ArchiveLayout layout, ObjectStore store, Spool spool) {
        this.failOnBadRecord = failOnBadRecord;
        this.layout = layout;
        this.store = store;
        this.spool = spool;
    }

    /** Records quarantined so far (any thread). */
    public long count() {
        return quarantined.get();
    }

    public void handle(ConsumerRecord<byte[], byte[]> r, String problem) {
        if (failOnBadRecord) {
            throw new BadRecordException(r.topic(), r.partition(), r.offset(), problem);
        }
        String key = layout.quarantine(r.topic(), r.partition(), r.offset());
        // The whole record (key, value, headers) as a one-record segment, so nothing of it is lost.
        Path spoolFile = spool.quarantineFile();
        try (SegmentWriter w = new SegmentWriter(spoolFile, r.topic(), r.partition());
             ObjectStore.ObjectWriter out = store.create(key)) {
            w.append(ArchivedRecord.of(r, 0, 0));
            w.finish(out);
            out.commit();
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot quarantine bad record topic=" + r.topic() + " partition="
                    + r.partition() + " offset=" + r.offset() + " at " + store.describe(key) + ": " + e.getMessage(), e);
        }
        quarantined.incrementAndGet();
        ArchiverMetrics.QUARANTINED.labelValues(r.topic()).inc();
        log.error("bad record quarantined topic={} partition={} offset={} object={} problem={}", r.topic(),
                r.partition(), r.offset(), store.describe(key), problem);
    }
}
