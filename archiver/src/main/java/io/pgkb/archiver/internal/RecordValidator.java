package io.pgkb.archiver.internal;

import io.pgkb.schemas.CodecException;
import io.pgkb.schemas.ConfluentFraming;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.segment.ArchivedRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a consumed record into an {@link ArchivedRecord}, proving on the way that it is what the producer writes:
 * key and value are Avro single-object encoding of a schema known in {@code _schemas} (or, in registry mode, framed
 * with a schema registry id that {@code _schemas} maps to a schema) ({@code _progress} records
 * are decoded fully, they carry the order key), and the order-key headers are present. Anything else is a {@link Invalid} naming the problem.
 */
public final class RecordValidator {
    static final Schema PROGRESS = loadProgress();

    private final SchemaResolver schemas;
    /** The last two fingerprints found known, newest first; {@code recentCount} of them are set (poll thread only). */
    private long recent0;
    private long recent1;
    private int recentCount;

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
        List<ArchivedRecord.RecordHeader> headers = ArchivedRecord.headersOf(r);
        byte[] lsnText = lastHeader(headers, Headers.COMMIT_LSN);
        long commitLsn = HeaderNumbers.lsn(lsnText);
        if (commitLsn == HeaderNumbers.NOT_A_NUMBER) {
            commitLsn = parseLsn(lsnText);
        }
        byte[] seqText = lastHeader(headers, Headers.SEQ);
        long seq = HeaderNumbers.decimal(seqText);
        if (seq == HeaderNumbers.NOT_A_NUMBER) {
            seq = parseDecimal(seqText);
        }
        return ArchivedRecord.of(r, headers, commitLsn, seq);
    }

    /** The general path, for what {@link HeaderNumbers#lsn} does not take: the library's parser decides. */
    private static long parseLsn(byte[] text) throws Invalid {
        String s = new String(text, StandardCharsets.UTF_8);
        try {
            return Lsn.parse(s).asLong();
        } catch (IllegalArgumentException e) {
            throw new Invalid("header " + Headers.COMMIT_LSN + " is not an LSN: '" + s + "'");
        }
    }

    private static long parseDecimal(byte[] text) throws Invalid {
        String s = new String(text, StandardCharsets.UTF_8);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new Invalid("header " + Headers.SEQ + " is not a number: '" + s + "'");
        }
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
        if (ConfluentFraming.isConfluent(bytes)) {
            // registry mode: the id must be in _schemas (registry-<id>), so the archive can name its schema
            if (schemas.findByRegistryId(ConfluentFraming.schemaId(bytes)) == null) {
                throw new Invalid(what + ": unknown schema registry id " + ConfluentFraming.schemaId(bytes)
                        + " (no registry-" + ConfluentFraming.schemaId(bytes) + " record in _schemas)");
            }
            return;
        }
        long fp;
        try {
            fp = SingleObjectCodec.fingerprintOf(bytes);
        } catch (CodecException e) {
            throw new Invalid(what + ": " + e.getMessage());
        }
        if (!known(fp)) {
            throw new Invalid(what + ": unknown schema fingerprint " + SingleObjectCodec.hex(fp) + " (not in _schemas)");
        }
    }

    /**
     * A fingerprint names one schema for good, so the two last found (a topic's key and value schema) are
     * remembered: most records need no look-up.
     */
    private boolean known(long fp) {
        if (recentCount > 0 && fp == recent0 || recentCount > 1 && fp == recent1) {
            return true;
        }
        if (schemas.findByFingerprint(fp) == null && fp != PROGRESS_FP) {
            return false;
        }
        recent1 = recent0;
        recent0 = fp;
        recentCount = Math.min(2, recentCount + 1);
        return true;
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

    /** The value of the last header of that name, as Kafka's {@code lastHeader}; missing or null is invalid. */
    private static byte[] lastHeader(List<ArchivedRecord.RecordHeader> headers, String name) throws Invalid {
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).key().equals(name)) {
                if (headers.get(i).value() == null) {
                    break;
                }
                return headers.get(i).value();
            }
        }
        throw new Invalid("header " + name + " missing");
    }

    private static Schema loadProgress() {
        try (InputStream in = RecordValidator.class.getResourceAsStream("/io/pgkb/schemas/Progress.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
