package io.pgkb.schemas;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Kafka topics of one prefix, the one place their names are spelled: {@code <prefix>.<schema>.<table>} per table
 * (schema and table escaped, see {@link Names}), {@code <prefix>._schemas} and {@code <prefix>._progress}. The
 * prefix is also the archive's namespace.
 */
public final class Topics {
    public static final String DEFAULT_PREFIX = "pgkb";
    private static final Pattern LEGAL_PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    /** Leaves room for {@code .<schema>.<table>} within Kafka's 249 characters. */
    private static final int MAX_PREFIX_LENGTH = 100;

    private final String prefix;

    public Topics(String prefix) {
        this.prefix = prefix;
    }

    /**
     * The one rule for a prefix: letters, digits, {@code _} and {@code -}, in parts joined by dots, at most 100
     * characters. Returns it; throws {@link IllegalArgumentException} saying why it is not one.
     */
    public static String checkPrefix(String prefix) {
        if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches() || prefix.length() > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("'" + prefix + "' is not a legal topic prefix (letters, digits, _ and -,"
                    + " parts joined by '.', at most " + MAX_PREFIX_LENGTH + " characters)");
        }
        return prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** {@code <prefix>.<escaped schema>.<escaped table>} */
    public String table(TableId table) {
        return prefix + "." + Names.escape(table.schema()) + "." + Names.escape(table.table());
    }

    /** {@code <prefix>._schemas}: every writer schema, keyed by fingerprint. */
    public String schemas() {
        return prefix + "._schemas";
    }

    /** {@code <prefix>._progress}: the producer's confirmations, marks and gaps. */
    public String progress() {
        return prefix + "._progress";
    }

    /** The table a topic of this prefix is for; empty when it is not a table topic of this prefix. */
    public Optional<TableId> tableOf(String topic) {
        if (!topic.startsWith(prefix + ".")) {
            return Optional.empty();
        }
        return TableId.fromArchiveName(topic.substring(prefix.length() + 1));
    }

    /** Every topic of this prefix: table topics, {@code _progress} and {@code _schemas}. */
    public Pattern all() {
        return Pattern.compile(Pattern.quote(prefix) + "\\.(_progress|_schemas|[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)");
    }
}
