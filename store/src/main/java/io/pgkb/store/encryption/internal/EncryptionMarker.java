package io.pgkb.store.encryption.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgkb.schemas.PgkbException;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <prefix>/v1/encryption.json}, in clear: the archive is encrypted, with which scheme, and the ids of every
 * key that ever encrypted an object in it (with when a writer first used it). No key material.
 */
public record EncryptionMarker(Map<Integer, String> keys) {
    public static final String FILE_NAME = "encryption.json";
    public static final String SCHEME = "tink-streaming-aead/AES256_GCM_HKDF_1MB";
    public static final String OBJECT_FORMAT = "PGKE1: 9-byte header (magic, version, key id), Tink ciphertext; "
            + "associated data = header + object key";
    private static final ObjectMapper JSON = new ObjectMapper();

    public EncryptionMarker {
        keys = Map.copyOf(new LinkedHashMap<>(keys));
    }

    public EncryptionMarker with(int keyId) {
        Map<Integer, String> m = new LinkedHashMap<>(keys);
        m.putIfAbsent(keyId, Instant.now().toString());
        return new EncryptionMarker(m);
    }

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("scheme", SCHEME);
        root.put("object_format", OBJECT_FORMAT);
        ArrayNode arr = root.putArray("keys");
        keys.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e ->
                arr.addObject().put("id", Integer.toUnsignedLong(e.getKey())).put("first_used", e.getValue()));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static EncryptionMarker parse(byte[] json, String where) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !SCHEME.equals(root.path("scheme").asText())) {
                throw new PgkbException.ConfigException(where + ": unknown encryption scheme '"
                        + (root == null ? "" : root.path("scheme").asText()) + "' (this pgkb knows " + SCHEME + ")");
            }
            Map<Integer, String> keys = new LinkedHashMap<>();
            for (JsonNode k : root.path("keys")) {
                keys.put((int) k.path("id").asLong(), k.path("first_used").asText(""));
            }
            return new EncryptionMarker(keys);
        } catch (IOException e) {
            throw new PgkbException.ArchiveIncompleteException(where + ": unreadable encryption marker: " + e.getMessage());
        }
    }
}
