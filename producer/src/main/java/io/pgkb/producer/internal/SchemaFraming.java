package io.pgkb.producer.internal;

import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * The encoding's part of a record (DESIGN §3, §14): makes sure a writer schema is registered before the first record
 * that uses it, and gives the header its records start with. Native: {@code C3 01} + the fingerprint, the schema in
 * {@code _schemas}; registry mode ({@link RegistryFraming}): {@code 0} + the registry's id.
 */
public interface SchemaFraming {
    /** @param subject the registry subject ({@code <topic>-key}, {@code <topic>-value}); native mode ignores it */
    byte[] header(String subject, Schema schema);

    /** Avro single-object encoding, the schema registered in {@code _schemas} through the registrar. */
    static SchemaFraming singleObject(SchemaRegistrar registrar) {
        return singleObject(registrar::ensureRegistered);
    }

    static SchemaFraming singleObject(Function<Schema, String> register) {
        return (subject, schema) -> {
            var unused = register.apply(schema); // registering is the point; the fingerprint is in the header anyway
            return singleObjectHeader(schema);
        };
    }

    static byte[] singleObjectHeader(Schema schema) {
        return ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01)
                .putLong(SingleObjectCodec.fingerprint64(schema)).array();
    }
}
