package io.pgkb.archiver.internal;

import io.pgkb.schemas.CodecException;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.segment.ArchivedRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns a consumed record into an {@link ArchivedRecord}, proving on the way that it is what the producer writes:
 * key and value are Avro single-object encoding of a schema known in {@code _schemas} ({@code _progress} records
 * are decoded fully, they carry the order key), and the order-key headers are present. Anything else is a {@link Invalid} naming the problem.
 */
public final class RecordValidator {
    static final Schema PROGRESS = loadProgress();

    private final SchemaResolver schemas;

    public RecordValidator(SchemaResolver schemas) {
        this.schemas = schemas;
    }

    public static final class Invalid extends Exception {
        public Invalid(String problem) {
            super(problem, null, false, false);
        }
    }

    public ArchivedRecord tableRecord(ConsumerRecord<byte[], byte[]> r) throws Invalid {
        checkEncoding("key", r.key(), true);
        checkEncoding("value", r.value(), false);
        long commitLsn;
        String lsnText = header(r, Headers.COMMIT_LSN);
        try {
            commitLsn = Lsn.parse(lsnText).asLong();
        } catch (IllegalArgumentException e) {
            throw new Invalid("header " + Headers.COMMIT_LSN + " is not an LSN: '" + lsnText + "'");
        }
        String seqText = header(r, Headers.SEQ);
        long seq;
        try {
            seq = Long.parseLong(seqText);
        } catch (NumberFormatException e) {
            throw new Invalid("header " + Headers.SEQ + " is not a number: '" + seqText + "'");
        }
        return ArchivedRecord.of(r, commitLsn, seq);
    }

    /** A {@code _progress} record: its order key is the confirmed LSN. */
    public ArchivedRecord progressRecord(ConsumerRecord<byte[], byte[]> r) throws Invalid {
        GenericRecord p = decode("value", r.value(), false);
        Object confirmed = p.getSchema().getField("confirmed_lsn") == null ? null : p.get("confirmed_lsn");
        if (!(confirmed instanceof Long lsn)) {
            throw new Invalid("progress record has no confirmed_lsn");
        }
        return ArchivedRecord.of(r, lsn, 0);
    }

    /**
     * Single-object marker and a fingerprint known in {@code _schemas}: what a restore needs to decode the record
     * later. The datum itself is not decoded here; that would cost more CPU than everything else the archiver
     * does per record, and the archive keeps the bytes exactly as Kafka held them either way.
     */
    private void checkEncoding(String what, byte[] bytes, boolean nullable) throws Invalid {
        if (bytes == null) {
            if (nullable) {
                return;
            }
            throw new Invalid(what + " is null");
        }
        long fp;
        try {
            fp = SingleObjectCodec.fingerprintOf(bytes);
        } catch (CodecException e) {
            throw new Invalid(what + ": " + e.getMessage());
        }
        if (schemas.findByFingerprint(fp) == null && fp != PROGRESS_FP) {
            throw new Invalid(what + ": unknown schema fingerprint " + SingleObjectCodec.hex(fp) + " (not in _schemas)");
        }
    }

    private GenericRecord decode(String what, byte[] bytes, boolean nullable) throws Invalid {
        if (bytes == null) {
            if (nullable) {
                return null;
            }
            throw new Invalid(what + " is null");
        }
        try {
            return SingleObjectCodec.decode(bytes, fp -> {
                Schema s = schemas.findByFingerprint(fp);
                if (s == null && fp == PROGRESS_FP) {
                    return PROGRESS;
                }
                return s;
            });
        } catch (io.pgkb.schemas.PgkbException.RetriableException e) {
            throw e; // Kafka unavailable while reading _schemas: not the record's fault
        } catch (CodecException e) {
            throw new Invalid(what + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new Invalid(what + " cannot be decoded: " + e);
        }
    }

    private static final long PROGRESS_FP = SingleObjectCodec.fingerprint64(PROGRESS);

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) throws Invalid {
        Header h = r.headers().lastHeader(name);
        if (h == null || h.value() == null) {
            throw new Invalid("header " + name + " missing");
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Schema loadProgress() {
        try (InputStream in = RecordValidator.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
