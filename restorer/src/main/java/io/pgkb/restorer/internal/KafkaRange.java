package io.pgkb.restorer.internal;

import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.store.catalog.ArchivedEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Offsets {@code [first, last]} of one topic partition read from Kafka, as archived entries with the order key
 * taken from the headers as the archiver takes it. Offsets Kafka skips within the range are no records
 * (transaction markers, compaction; pgkb's idempotent producer writes neither); an offset retention removes while
 * it is read fails the read naming it, exit 3. Holds at most one fetch.
 */
final class KafkaRange implements RecordSource {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long STALL_NANOS = Duration.ofSeconds(60).toNanos();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition tp;
    private final String what;
    private final long last;
    private final boolean changes;
    private long next;
    private long skipped;
    private Iterator<ConsumerRecord<byte[], byte[]>> batch = List.<ConsumerRecord<byte[], byte[]>>of().iterator();

    KafkaRange(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, String what, long first, long last, boolean changes) {
        this.consumer = consumer;
        this.tp = tp;
        this.what = what;
        this.next = first;
        this.last = last;
        this.changes = changes;
        try {
            consumer.assign(List.of(tp));
            consumer.seek(tp, first);
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
    }

    @Override
    public ArchivedEntry next() {
        long stalled = System.nanoTime();
        while (next <= last) {
            while (batch.hasNext()) {
                ConsumerRecord<byte[], byte[]> r = batch.next();
                if (r.offset() < next) {
                    continue;
                }
                if (r.offset() > last) {
                    next = last + 1;
                    return null;
                }
                skipped += r.offset() - next;
                next = r.offset() + 1;
                return entry(r);
            }
            try {
                batch = consumer.poll(POLL).records(tp).iterator();
                if (!batch.hasNext()) {
                    // markers at the end of the range advance the position without a record
                    next = Math.max(next, consumer.position(tp));
                    if (System.nanoTime() - stalled > STALL_NANOS) {
                        throw new PgkbException.FatalException("reading " + what + " partition " + tp.partition() + " from Kafka: no record at offset "
                                + next + " within " + STALL_NANOS / 1_000_000_000 + "s (the plan saw it held up to " + last + ")");
                    }
                } else {
                    stalled = System.nanoTime();
                }
            } catch (OffsetOutOfRangeException e) {
                throw new PgkbException.ArchiveIncompleteException(what + " partition " + tp.partition() + ": offsets " + next + "-" + last
                        + " are missing from the archive and Kafka's retention removed them while they were read");
            } catch (PgkbException e) {
                throw e;
            } catch (KafkaException e) {
                throw new PgkbException.FatalException("cannot read " + what + " partition " + tp.partition() + " from Kafka: " + e.getMessage(), e);
            }
        }
        return null;
    }

    private ArchivedEntry entry(ConsumerRecord<byte[], byte[]> r) {
        long commitLsn = 0;
        long seq = 0;
        if (changes) {
            String lsn = header(r, Headers.COMMIT_LSN);
            String s = header(r, Headers.SEQ);
            try {
                commitLsn = Lsn.parse(lsn).asLong();
                seq = Long.parseLong(s);
            } catch (IllegalArgumentException e) {
                throw bad(r, "headers " + Headers.COMMIT_LSN + "='" + lsn + "' " + Headers.SEQ + "='" + s + "' are no order key");
            }
        }
        return new ArchivedEntry(tp.partition(), r.offset(), r.timestamp(), r.key(), r.value(), commitLsn, seq);
    }

    private String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        if (h == null || h.value() == null) {
            throw bad(r, "header " + name + " missing");
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private PgkbException bad(ConsumerRecord<byte[], byte[]> r, String problem) {
        return new PgkbException.ArchiveIncompleteException("bad record " + what + " partition " + tp.partition() + " offset "
                + r.offset() + " in Kafka: " + problem);
    }

    /** Offsets within the range Kafka returned no record for. */
    long skipped() {
        return skipped;
    }

    @Override
    public void finish() {
        // nothing is proven at the end of a range
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
