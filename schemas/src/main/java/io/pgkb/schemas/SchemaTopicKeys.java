package io.pgkb.schemas;

import java.util.regex.Pattern;

/**
 * The keys of {@code <prefix>._schemas} (DESIGN §3, §14): a writer schema under its fingerprint (16 lower-case hex
 * digits; value: the schema's JSON); in registry mode also {@code registry-<id>} (value: the fingerprint of the
 * schema the registry gave that id); {@link #ENCODING}, the prefix's encoding for its life; and in registry mode
 * {@link #REGISTRY}, the URL of the registry whose ids the prefix holds (for the producer's refusal of another).
 */
public final class SchemaTopicKeys {
    /** Key of the record naming the prefix's encoding: value {@link #SINGLE_OBJECT} or {@link #CONFLUENT}. */
    public static final String ENCODING = "pgkb.encoding";
    public static final String SINGLE_OBJECT = "single-object";
    public static final String CONFLUENT = "confluent";
    /** Key of the record naming the schema registry the prefix's ids come from: value its URL, as the producer was given it. */
    public static final String REGISTRY = "pgkb.registry";
    private static final String REGISTRY_ID_PREFIX = "registry-";
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern REGISTRY_ID = Pattern.compile("registry-(0|[1-9][0-9]{0,9})");

    private SchemaTopicKeys() {
    }

    /** The producer's own records about the prefix ({@link #ENCODING}, {@link #REGISTRY}): no schema, nothing to archive. */
    public static boolean isProducerGuard(String key) {
        return ENCODING.equals(key) || REGISTRY.equals(key);
    }

    public static boolean isFingerprint(String key) {
        return key != null && FINGERPRINT.matcher(key).matches();
    }

    public static boolean isRegistryId(String key) {
        return key != null && REGISTRY_ID.matcher(key).matches() && Long.parseLong(key.substring(REGISTRY_ID_PREFIX.length())) <= Integer.MAX_VALUE;
    }

    public static String registryId(int id) {
        return REGISTRY_ID_PREFIX + Integer.toUnsignedString(id);
    }

    /** The id of a key for which {@link #isRegistryId} holds. */
    public static int registryIdOf(String key) {
        return Integer.parseInt(key.substring(REGISTRY_ID_PREFIX.length()));
    }
}
