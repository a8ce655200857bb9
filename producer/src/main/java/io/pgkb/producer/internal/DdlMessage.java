package io.pgkb.producer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.TableId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The content of a {@code pgkb.ddl} logical message, as the event trigger ({@code ddl-capture.sql}) writes it: the
 * table and its columns and definition after the command, or, when the trigger itself failed, only the error.
 *
 * @param publications the publications listing the table; null when the table was dropped (its listing is gone)
 * @param error        set when the trigger could not capture the command (then nothing else but the tag is set)
 */
public record DdlMessage(long oid, TableId table, String tag, boolean rewrite, boolean dropped, List<String> publications,
                         List<DdlEvent.Column> columns, String definition, String query, String error) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @throws IllegalArgumentException when the content is not such a message */
    public static DdlMessage parse(byte[] content) {
        JsonNode n;
        try {
            n = JSON.readTree(content);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject() || n.path("v").asInt() != DdlEvent.FORMAT) {
            throw new IllegalArgumentException("not a format " + DdlEvent.FORMAT + " pgkb.ddl message");
        }
        String tag = n.path("tag").asText("");
        if (n.hasNonNull("error")) {
            return new DdlMessage(0, null, tag, false, false, null, List.of(), null, null,
                    n.get("error").asText() + " (SQLSTATE " + n.path("sqlstate").asText("?") + ")");
        }
        if (!n.hasNonNull("oid") || !n.hasNonNull("schema") || !n.hasNonNull("table")) {
            throw new IllegalArgumentException("pgkb.ddl message without oid, schema or table");
        }
        List<String> pubs = null;
        if (n.path("pubs").isArray()) {
            pubs = new ArrayList<>();
            for (JsonNode p : n.get("pubs")) {
                pubs.add(p.asText());
            }
        }
        List<DdlEvent.Column> cols = new ArrayList<>();
        for (JsonNode c : n.path("columns")) {
            cols.add(new DdlEvent.Column(c.path("n").asInt(), c.path("name").asText(), c.path("type").asText(),
                    c.hasNonNull("missing") ? c.get("missing").asText() : null));
        }
        JsonNode def = n.get("definition");
        return new DdlMessage(n.get("oid").asLong(), new TableId(n.get("schema").asText(), n.get("table").asText()), tag,
                n.path("rewrite").asBoolean(), n.path("dropped").asBoolean(), pubs, cols,
                def == null || def.isNull() ? null : def.toString(),
                n.hasNonNull("query") ? n.get("query").asText() : null, null);
    }

    /** True when the table is captured for {@code publication} (a dropped table: decided by the caller). */
    public boolean publishedIn(String publication) {
        return publications != null && publications.contains(publication);
    }
}
