package io.pgkb.schemas.segment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
        headers = List.copyOf(headers);
    }

    /** Copies a consumed record; the caller has already derived {@code commitLsn} and {@code seq}. */
    public static ArchivedRecord of(ConsumerRecord<byte[], byte[]> r, long commitLsn, long seq) {
        List<RecordHeader> hs = new ArrayList<>();
        for (Header h : r.headers()) {
            hs.add(new RecordHeader(h.key(), h.value()));
        }
        return new ArchivedRecord(r.offset(), r.timestamp(), r.key(), r.value(), hs, commitLsn, seq);
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
