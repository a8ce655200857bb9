package io.pgkb.schemas;

/**
 * Bytes that are not a decodable pgkb record. The message says what is wrong; callers add where (topic,
 * partition, offset or object key) before it reaches the operator.
 */
public class CodecException extends PgkbException.FatalException {
    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The fingerprint in the header is not known to the resolver. */
    public static class UnknownSchemaException extends CodecException {
        private final long fingerprint;

        public UnknownSchemaException(long fingerprint) {
            super("writer schema " + SingleObjectCodec.hex(fingerprint) + " not found (not in the _schemas topic or archive)");
            this.fingerprint = fingerprint;
        }

        private UnknownSchemaException(String message) {
            super(message);
            this.fingerprint = 0;
        }

        /** Registry mode: the schema id in a Confluent-framed header is not known. */
        public static UnknownSchemaException registryId(int id) {
            return new UnknownSchemaException("schema registry id " + id
                    + " not found (no registry-" + id + " record in the _schemas topic or the archive)");
        }

        public long fingerprint() {
            return fingerprint;
        }
    }
}
