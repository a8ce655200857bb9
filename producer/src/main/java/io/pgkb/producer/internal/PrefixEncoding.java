package io.pgkb.producer.internal;

import io.pgkb.schemas.KafkaSchemaResolver;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SchemaTopicKeys;
import org.apache.avro.Schema;

/**
 * A prefix is in one encoding for its life (DESIGN §14): its topics' consumers were built for it. The encoding is
 * the {@code pgkb.encoding} record of {@code _schemas}, written by the first producer; a prefix from before that
 * record existed, with table schemas in {@code _schemas}, is single-object encoded.
 */
public final class PrefixEncoding {
    private PrefixEncoding() {
    }

    /**
     * Records the wanted encoding on a new prefix, accepts it on a prefix already in it.
     *
     * @throws PgkbException.ConfigException (exit 2) when the prefix is in the other encoding
     */
    public static void check(KafkaSchemaResolver schemas, String prefix, String wanted, SchemaRegistrar registrar) {
        String found = schemas.encoding();
        if (found == null && schemas.all().stream().map(Schema::getNamespace)
                .anyMatch(ns -> ns != null && ns.startsWith("io.pgkb.tables."))) {
            found = SchemaTopicKeys.SINGLE_OBJECT;
        }
        if (found == null) {
            registrar.writeEncoding(wanted);
        } else if (!found.equals(wanted)) {
            throw new PgkbException.ConfigException("topic prefix " + prefix + " is in " + describe(found)
                    + "; the producer was asked for " + describe(wanted) + ". A prefix keeps one encoding for its life"
                    + " (its consumers read that one): " + (wanted.equals(SchemaTopicKeys.CONFLUENT)
                    ? "drop --schema-registry, or produce to a new --topic-prefix with its own --slot"
                    : "add --schema-registry with the prefix's registry, or produce to a new --topic-prefix with its own --slot"));
        }
    }

    private static String describe(String encoding) {
        return encoding.equals(SchemaTopicKeys.CONFLUENT) ? "registry mode (Confluent wire format, --schema-registry)"
                : encoding.equals(SchemaTopicKeys.SINGLE_OBJECT) ? "native mode (Avro single-object encoding)"
                : "encoding '" + encoding + "'";
    }
}
