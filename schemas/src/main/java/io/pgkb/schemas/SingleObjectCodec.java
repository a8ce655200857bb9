package io.pgkb.schemas;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Avro single-object encoding ({@code C3 01}, the schema's 8-byte little-endian CRC-64-AVRO fingerprint, the
 * binary datum) through Avro's own {@link BinaryMessageEncoder} and {@link BinaryMessageDecoder}. Values are the
 * generic representation without logical-type conversions (see {@link ValueConverter}).
 */
public final class SingleObjectCodec {
    private static final int HEADER = 10;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final Map<Schema, BinaryMessageEncoder<GenericRecord>> ENCODERS = new ConcurrentHashMap<>();
    // a fingerprint names one schema for good, so decoders can be shared by every resolver
    private static final Map<Long, BinaryMessageDecoder<GenericRecord>> DECODERS = new ConcurrentHashMap<>();

    private SingleObjectCodec() {
    }

    public static byte[] encode(Schema schema, GenericRecord record) {
        BinaryMessageEncoder<GenericRecord> enc =
                ENCODERS.computeIfAbsent(schema, s -> new BinaryMessageEncoder<>(GenericData.get(), s));
        try {
            ByteBuffer buf = enc.encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException | RuntimeException e) {
            throw new CodecException("cannot encode a record of " + schema.getFullName() + ": " + e.getMessage(), e);
        }
    }

    /** Also reads registry mode's Confluent framing ({@link ConfluentFraming}) when the resolver knows the id. */
    public static GenericRecord decode(byte[] bytes, SchemaResolver resolver) {
        bytes = ConfluentFraming.toSingleObject(bytes, resolver);
        long fp = fingerprintOf(bytes);
        BinaryMessageDecoder<GenericRecord> dec = DECODERS.get(fp);
        if (dec == null) {
            Schema writer = resolver.findByFingerprint(fp);
            if (writer == null) {
                throw new CodecException.UnknownSchemaException(fp);
            }
            if (fingerprint64(writer) != fp) {
                throw new CodecException("resolver returned a schema whose fingerprint is " + fingerprint(writer)
                        + ", not " + hex(fp));
            }
            dec = DECODERS.computeIfAbsent(fp, k -> new BinaryMessageDecoder<>(GenericData.get(), writer));
        }
        try {
            return dec.decode(bytes);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new CodecException("corrupt record of schema " + hex(fp) + ": " + e.getMessage(), e);
        }
    }

    /** The fingerprint in a single-object header, checking the marker. */
    public static long fingerprintOf(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            throw new CodecException("not Avro single-object encoded (expected C3 01 + 8-byte fingerprint)");
        }
        return (long) LONG_LE.get(bytes, 2); // read for every record the restorer decodes: no ByteBuffer per call
    }

    public static boolean isSingleObject(byte[] bytes) {
        return bytes != null && bytes.length >= HEADER && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01;
    }

    public static long fingerprint64(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** CRC-64-AVRO fingerprint of the schema's parsing canonical form as 16 lower-case hex digits. */
    public static String fingerprint(Schema schema) {
        return hex(fingerprint64(schema));
    }

    public static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    public static long parseHex(String hex) {
        if (hex == null || hex.length() != 16) {
            throw new IllegalArgumentException("not a 16-digit hex fingerprint: '" + hex + "'");
        }
        return Long.parseUnsignedLong(hex, 16);
    }
}
