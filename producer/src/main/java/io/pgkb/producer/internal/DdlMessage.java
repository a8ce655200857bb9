package io.pgkb.producer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.TableDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The content of a {@code pgkb.ddl} logical message, as the event trigger ({@code ddl-capture.sql}) writes it: the
 * table and its columns and definition after the command, or, when the trigger itself failed, only the error.
 * Message format 2 (since 2026-12-07) carries no {@code columns}: they are the definition's (reading them apart
 * was a second catalog query in every DDL); format 1 (older triggers) carries both. The DDL record built from either
 * is the same.
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
        int version = n == null || !n.isObject() ? 0 : n.path("v").asInt();
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("not a format 1 or 2 pgkb.ddl message");
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
        JsonNode def = n.get("definition");
        List<DdlEvent.Column> cols = new ArrayList<>();
        if (version == 1) {
            for (JsonNode c : n.path("columns")) {
                cols.add(new DdlEvent.Column(c.path("n").asInt(), c.path("name").asText(), c.path("type").asText(),
                        c.hasNonNull("missing") ? c.get("missing").asText() : null));
            }
        } else if (def != null && !def.isNull()) {
            try {
                for (TableDefinition.Column c : TableDefinition.fromJson(def.toString()).columns()) {
                    cols.add(new DdlEvent.Column(c.attnum(), c.name(), c.type(), c.missingValue()));
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("its definition does not read: " + e.getMessage());
            }
        } else if (!n.path("dropped").asBoolean()) {
            throw new IllegalArgumentException("format 2 pgkb.ddl message for a table that exists without its definition");
        }
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
