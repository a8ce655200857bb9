package io.pgkb.schemas;

import org.apache.avro.generic.GenericRecord;

import java.util.Map;

/** Decodes single-object encoded change records (values) and keys of table topics. Thread-safe. */
public final class ChangeRecordDecoder {
    private final SchemaResolver resolver;

    public ChangeRecordDecoder(SchemaResolver resolver) {
        this.resolver = resolver;
    }

    /** @throws CodecException when the bytes are not a pgkb change record or the writer schema is unknown */
    public ChangeRecord decode(byte[] value) {
        GenericRecord rec = SingleObjectCodec.decode(value, resolver);
        if (rec.getSchema().getField("source") == null || rec.getSchema().getField("op") == null) {
            throw new CodecException("not a pgkb change envelope: schema " + rec.getSchema().getFullName());
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
