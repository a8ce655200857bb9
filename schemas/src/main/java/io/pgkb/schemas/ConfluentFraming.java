package io.pgkb.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Confluent wire format of registry mode (DESIGN §14): byte {@code 0}, the schema registry's 4-byte big-endian
 * schema id, the Avro binary datum. pgkb's own readers turn such bytes into the single-object form (same datum, the
 * schema's fingerprint in place of the id) with the id-to-schema map the producer keeps in {@code _schemas} and the
 * archiver in the archive, so everything past that point reads one encoding.
 */
public final class ConfluentFraming {
    public static final byte MAGIC = 0;
    public static final int HEADER = 5;
    private static final int SINGLE_OBJECT_HEADER = 10;

    private ConfluentFraming() {
    }

    /** Bytes that start like a Confluent-framed record (single-object bytes start with {@code C3}). */
    public static boolean isConfluent(byte[] bytes) {
        return bytes != null && bytes.length >= HEADER && bytes[0] == MAGIC;
    }

    public static int schemaId(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).order(ByteOrder.BIG_ENDIAN).getInt();
    }

    /** {@code 0} + the id, big-endian. */
    public static byte[] header(int id) {
        return ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN).put(MAGIC).putInt(id).array();
    }

    /** Single-object bytes with the id's header in place of {@code C3 01} + fingerprint. */
    public static byte[] fromSingleObject(byte[] singleObject, int id) {
        byte[] out = new byte[singleObject.length - SINGLE_OBJECT_HEADER + HEADER];
        System.arraycopy(header(id), 0, out, 0, HEADER);
        System.arraycopy(singleObject, SINGLE_OBJECT_HEADER, out, HEADER, singleObject.length - SINGLE_OBJECT_HEADER);
        return out;
    }

    /**
     * The same record in single-object encoding; other bytes (single-object ones, null) unchanged.
     *
     * @throws CodecException.UnknownSchemaException naming the id when the resolver does not know it
     */
    public static byte[] toSingleObject(byte[] bytes, SchemaResolver resolver) {
        if (!isConfluent(bytes)) {
            return bytes;
        }
        int id = schemaId(bytes);
        org.apache.avro.Schema schema = resolver.findByRegistryId(id);
        if (schema == null) {
            throw CodecException.UnknownSchemaException.registryId(id);
        }
        long fp = SingleObjectCodec.fingerprint64(schema);
        byte[] out = new byte[bytes.length - HEADER + SINGLE_OBJECT_HEADER];
        ByteBuffer.wrap(out, 0, SINGLE_OBJECT_HEADER).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01).putLong(fp);
        System.arraycopy(bytes, HEADER, out, SINGLE_OBJECT_HEADER, bytes.length - HEADER);
        return out;
    }
}
