package io.pgkb.restorer;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One {@code --tables} item: {@code schema.table[=schema.newname]}. */
public record TableTarget(TableId source, TableId target) {

    /** Parses {@code --tables}; commas and {@code =} inside double quotes belong to names. */
    public static List<TableTarget> parseList(String text) {
        List<TableTarget> out = new ArrayList<>();
        Set<TableId> targets = new HashSet<>();
        for (String item : TableId.splitTopLevel(text, ',')) {
            if (item.isBlank()) {
                continue;
            }
            List<String> sides = TableId.splitTopLevel(item, '=');
            if (sides.size() > 2) {
                throw new PgkbException.ConfigException("--tables: more than one '=' in '" + item.strip() + "'");
            }
            TableTarget t;
            try {
                TableId src = TableId.parse(sides.get(0));
                t = new TableTarget(src, sides.size() == 2 ? TableId.parse(sides.get(1)) : src);
            } catch (IllegalArgumentException e) {
                throw new PgkbException.ConfigException("--tables: " + e.getMessage());
            }
            if (!targets.add(t.target())) {
                throw new PgkbException.ConfigException("--tables: " + t.target() + " is named twice as a target");
            }
            out.add(t);
        }
        if (out.isEmpty()) {
            throw new PgkbException.ConfigException("--tables: no table named");
        }
        return out;
    }

    @Override
    public String toString() {
        return source.equals(target) ? source.toString() : source + " -> " + target;
    }
}
