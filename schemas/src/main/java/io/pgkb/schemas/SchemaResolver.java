package io.pgkb.schemas;

import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Finds a writer schema by its CRC-64-AVRO fingerprint, and in registry mode (DESIGN §14) by its schema registry id.
 * An Avro {@link SchemaStore}, so it plugs into Avro's own message decoders too.
 */
public interface SchemaResolver extends SchemaStore {
    /** @return the schema, or null when this resolver does not know the fingerprint */
    @Override
    Schema findByFingerprint(long fingerprint);

    /**
     * The schema a schema registry gave this id, as the producer recorded it in {@code _schemas} (and the archiver in
     * the archive); null when unknown. Resolvers of single-object encoded records only need not know any.
     */
    default Schema findByRegistryId(int id) {
        return null;
    }
}
