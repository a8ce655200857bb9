package io.pgkb.schemas.segment;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One Kafka record as kept in a segment (schema {@code ArchivedRecord.avsc}): the record's key, value and
 * headers exactly as Kafka held them, plus the restore order key {@code (commitLsn, seq)}.
 */
public record ArchivedRecord(long offset, long timestamp, byte[] key, byte[] value, List<RecordHeader> headers,
                             long commitLsn, long seq) {

    public record RecordHeader(String key, byte[] value) {
    }

    public ArchivedRecord {
        headers = headers instanceof Consumed ? headers : List.copyOf(headers);
    }

    /** Copies a consumed record; the caller has already derived {@code commitLsn} and {@code seq}. */
    public static ArchivedRecord of(ConsumerRecord<byte[], byte[]> r, long commitLsn, long seq) {
        return of(r, headersOf(r), commitLsn, seq);
    }

    /** As {@link #of(ConsumerRecord, long, long)}, with the record's headers from {@link #headersOf}. */
    public static ArchivedRecord of(ConsumerRecord<byte[], byte[]> r, List<RecordHeader> headers, long commitLsn, long seq) {
        return new ArchivedRecord(r.offset(), r.timestamp(), r.key(), r.value(), headers, commitLsn, seq);
    }

    /**
     * A consumed record's headers, in order, as an immutable list the constructor takes without copying again
     * (the archiver does this for every record on its poll thread, where {@code List.of}'s copy showed in the profile).
     */
    public static List<RecordHeader> headersOf(ConsumerRecord<byte[], byte[]> r) {
        Header[] kafka = r.headers().toArray();
        RecordHeader[] hs = new RecordHeader[kafka.length];
        for (int i = 0; i < kafka.length; i++) {
            hs[i] = new RecordHeader(kafka[i].key(), kafka[i].value());
        }
        return new Consumed(hs);
    }

    /** Headers over an array no one else holds: immutable (AbstractList refuses every change). */
    private static final class Consumed extends AbstractList<RecordHeader> implements RandomAccess {
        private final RecordHeader[] headers;

        Consumed(RecordHeader[] headers) {
            this.headers = headers;
        }

        @Override
        public RecordHeader get(int i) {
            return headers[i];
        }

        @Override
        public int size() {
            return headers.length;
        }
    }

    /** The first header of that name as UTF-8 text, or null. */
    public String header(String name) {
        for (RecordHeader h : headers) {
            if (h.key().equals(name)) {
                return h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
