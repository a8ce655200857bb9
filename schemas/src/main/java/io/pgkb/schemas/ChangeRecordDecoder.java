package io.pgkb.schemas;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Decodes single-object encoded change records (values) and keys of table topics. Thread-safe. */
public final class ChangeRecordDecoder {
    private final SchemaResolver resolver;

    public ChangeRecordDecoder(SchemaResolver resolver) {
        this.resolver = resolver;
    }

    /**
     * Whether the value is a DDL record ({@code io.pgkb.DdlEvent}, header {@code pgkb.op=DDL}): not a row change, so
     * {@link #decode} refuses it; read it with {@link #decodeDdl} or skip it. TRUNCATE records are changes.
     *
     * @throws CodecException when the bytes are not a pgkb record or the writer schema is unknown
     */
    public boolean isDdl(byte[] value) {
        if (value == null) {
            return false;
        }
        byte[] bytes = ConfluentFraming.toSingleObject(value, resolver);
        long fp = SingleObjectCodec.fingerprintOf(bytes);
        if (fp == DdlEvent.FINGERPRINT) {
            return true;
        }
        Schema writer = resolver.findByFingerprint(fp);
        if (writer == null) {
            throw new CodecException.UnknownSchemaException(fp);
        }
        return DdlEvent.isDdlSchema(writer);
    }

    /** A DDL record's value ({@link #isDdl}). */
    public DdlEvent decodeDdl(byte[] value) {
        return DdlEvent.decode(value, resolver);
    }

    /**
     * @throws CodecException when the bytes are not a pgkb change record (a DDL record included: test {@link #isDdl}
     *                        first) or the writer schema is unknown
     */
    public ChangeRecord decode(byte[] value) {
        GenericRecord rec = SingleObjectCodec.decode(value, resolver);
        if (rec.getSchema().getField("source") == null || rec.getSchema().getField("op") == null) {
            throw new CodecException("not a pgkb change envelope: schema " + rec.getSchema().getFullName()
                    + (DdlEvent.isDdlSchema(rec.getSchema()) ? " (a DDL record: test isDdl first, read it with decodeDdl)" : ""));
        }
        return new ChangeRecord(rec);
    }

    /** The key as an ordered map of exact column names to values; null for a null key (TRUNCATE, no primary key). */
    public Map<String, Object> decodeKey(byte[] key) {
        return key == null ? null : ChangeRecord.values(SingleObjectCodec.decode(key, resolver));
    }

    public GenericRecord decodeRecord(byte[] bytes) {
        return SingleObjectCodec.decode(bytes, resolver);
    }

    public SchemaResolver resolver() {
        return resolver;
    }
}
