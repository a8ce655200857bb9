package io.pgkb.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The exact qualified name of a table ({@code schema.table}, unquoted, as carried in the {@code pgkb.table}
 * header and {@code source.table}). Parses SQL identifier syntax as written on the command line.
 */
public record TableId(String schema, String table) implements Comparable<TableId> {

    public TableId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        if (schema.isEmpty() || table.isEmpty()) {
            throw new IllegalArgumentException("empty schema or table name");
        }
    }

    /** The exact, unquoted {@code schema.table} form used in headers and {@code source.table}. */
    public String qualified() {
        return schema + "." + table;
    }

    /** SQL-quoted form, safe to splice into statements: {@code "schema"."table"}. */
    public String quoted() {
        return quoteIdent(schema) + "." + quoteIdent(table);
    }

    /** Topic name {@code <prefix>.<escaped schema>.<escaped table>}; see {@link Names}. */
    public String topic(String prefix) {
        return new Topics(prefix).table(this);
    }

    /** Archive folder name {@code <escaped schema>.<escaped table>}. */
    public String archiveName() {
        return Names.escape(schema) + "." + Names.escape(table);
    }

    /** Inverse of {@link #topic(String)}; empty when the topic is not a table topic of this prefix. */
    public static Optional<TableId> fromTopic(String prefix, String topic) {
        return new Topics(prefix).tableOf(topic);
    }

    /** The prefix of a table topic: escaped schema and table names never contain '.', so all before the last two dots. */
    public static Optional<String> prefixOfTopic(String topic) {
        int last = topic.lastIndexOf('.');
        int second = last > 0 ? topic.lastIndexOf('.', last - 1) : -1;
        return second > 0 ? Optional.of(topic.substring(0, second)) : Optional.empty();
    }

    /** Inverse of {@link #archiveName()}; empty for names that are not two escaped parts. */
    public static Optional<TableId> fromArchiveName(String name) {
        String[] parts = name.split("\\.", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TableId(Names.unescape(parts[0]), Names.unescape(parts[1])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static String quoteIdent(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    /**
     * Parses one name in SQL identifier syntax: {@code schema.table}, either part double-quoted where needed
     * ({@code acc."Weird ""Name"""}). Unquoted parts fold to lower case as in PostgreSQL. A missing schema means
     * {@code public}.
     */
    public static TableId parse(String text) {
        List<String> parts = splitIdentifiers(text.strip(), text);
        if (parts.size() == 1) {
            return new TableId("public", parts.get(0));
        }
        if (parts.size() == 2) {
            return new TableId(parts.get(0), parts.get(1));
        }
        throw new IllegalArgumentException("not a table name (schema.table, quote with \" where needed): '" + text + "'");
    }

    /** Parses a comma-separated list of table names; commas inside double quotes belong to the name. */
    public static List<TableId> parseList(String text) {
        List<TableId> out = new ArrayList<>();
        for (String item : splitTopLevel(text, ',')) {
            if (!item.isBlank()) {
                out.add(parse(item));
            }
        }
        return out;
    }

    /** Splits on {@code sep} outside double quotes. */
    public static List<String> splitTopLevel(String text, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == sep && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static List<String> splitIdentifiers(String s, String original) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i <= s.length()) {
            if (i == s.length()) {
                throw bad(original);
            }
            StringBuilder part = new StringBuilder();
            if (s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw bad(original);
                    }
                    char c = s.charAt(i);
                    if (c == '"') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            part.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    part.append(c);
                    i++;
                }
                if (part.length() == 0) {
                    throw bad(original);
                }
            } else {
                while (i < s.length() && s.charAt(i) != '.') {
                    char c = s.charAt(i);
                    if (c == '"' || Character.isWhitespace(c)) {
                        throw bad(original);
                    }
                    part.append(Character.toLowerCase(c));
                    i++;
                }
                if (part.length() == 0) {
                    throw bad(original);
                }
            }
            parts.add(part.toString());
            if (i == s.length()) {
                return parts;
            }
            if (s.charAt(i) != '.') {
                throw bad(original);
            }
            i++;
        }
        throw bad(original);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("not a table name (schema.table, quote with \" where needed): '" + text + "'");
    }

    @Override
    public int compareTo(TableId o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : table.compareTo(o.table);
    }

    @Override
    public String toString() {
        return qualified();
    }
}
