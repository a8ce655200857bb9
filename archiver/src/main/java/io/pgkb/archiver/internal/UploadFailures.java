package io.pgkb.archiver.internal;

import io.pgkb.schemas.Messages;
import io.pgkb.schemas.Outage;
import io.pgkb.schemas.segment.SpoolException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the archiver tells the operator about failed uploads. A failed upload is retried for as long as it takes, by
 * reading its records again from Kafka every few seconds per partition; a line per failure and retry flooded the log
 * (one per segment every 2 s while the spool was full or the store away). Two conditions, each reported as an {@link
 * Outage}: the spool cannot be written (disk full, quota: a {@link SpoolException} anywhere in the cause chain), or
 * the upload itself failed (the store away or refusing). Each is said when it starts, once a minute while it lasts,
 * and when it ends: when every partition that failed has written a segment since. A partition that moves to another
 * archiver is forgotten silently (its failure is that archiver's to report). Poll thread only.
 */
public final class UploadFailures {
    private static final Logger log = LoggerFactory.getLogger(UploadFailures.class);

    private final Condition spool;
    private final Condition store = new Condition(
            "segment upload failed; retrying, records are read again from Kafka and nothing is committed for them meanwhile",
            "segment uploads still failing", "segment uploads work again");

    public UploadFailures(Path spoolDir) {
        spool = new Condition("archiver spool " + spoolDir + " cannot be written (free space under --spool-dir); retrying,"
                + " records are read again from Kafka and nothing is committed for them meanwhile",
                "archiver spool still cannot be written", "archiver spool writable again");
    }

    /** An upload of the partition's offsets {@code first}-{@code last} failed. */
    public void failed(TopicPartition tp, long first, long last, Throwable error, long nowNanos) {
        Throwable spoolError = spoolError(error);
        if (spoolError != null) {
            spool.failed(tp, first, last, Messages.firstLine(spoolError), nowNanos);
        } else {
            store.failed(tp, first, last, Messages.firstLine(unwrap(error)), nowNanos);
        }
    }

    /** A segment of the partition is durable. */
    public void succeeded(TopicPartition tp, long nowNanos) {
        spool.succeeded(tp, nowNanos);
        store.succeeded(tp, nowNanos);
    }

    /** The partition is no longer this archiver's. */
    public void released(TopicPartition tp) {
        spool.released(tp);
        store.released(tp);
    }

    private static Throwable spoolError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SpoolException) {
                return t;
            }
        }
        return null;
    }

    /** The error itself, not the wrappers of the builders' and upload threads. */
    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static final class Condition {
        private final String startLine;
        private final String stillLine;
        private final String endLine;
        private final Outage outage = new Outage();
        private final Set<TopicPartition> failing = new HashSet<>();

        Condition(String startLine, String stillLine, String endLine) {
            this.startLine = startLine;
            this.stillLine = stillLine;
            this.endLine = endLine;
        }

        void failed(TopicPartition tp, long first, long last, String why, long nowNanos) {
            failing.add(tp);
            switch (outage.failed(nowNanos)) {
                case STARTED -> log.error("{} topic={} partition={} offsets={}-{} error={}", startLine, tp.topic(), tp.partition(),
                        first, last, why);
                case STILL -> log.error("{} for={} s partitions={} error={}", stillLine, outage.seconds(nowNanos), failing.size(), why);
                case NOTHING -> log.debug("upload failed again topic={} partition={} offsets={}-{} error={}", tp.topic(),
                        tp.partition(), first, last, why);
            }
        }

        void succeeded(TopicPartition tp, long nowNanos) {
            if (failing.remove(tp) && failing.isEmpty()) {
                log.info("{} after {} s", endLine, outage.ended(nowNanos));
            }
        }

        void released(TopicPartition tp) {
            if (failing.remove(tp) && failing.isEmpty()) {
                outage.ended(0); // nobody here waits for it any more; a new failure is a new outage
            }
        }
    }
}
