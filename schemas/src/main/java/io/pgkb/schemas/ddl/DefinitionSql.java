package io.pgkb.schemas.ddl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one SQL source of a table's definition: resource {@code io/pgkb/schemas/ddl/table-definition.sql}, a single
 * SELECT returning one {@code json} value (the format of {@link TableDefinition}) for the relation whose oid is the
 * token {@code :relid}, or NULL when there is no such relation.
 *
 * <p>It reads catalogs only, never raises for an existing relation, takes well under a millisecond, and depends on
 * no setting except {@code search_path}: run it with no user schema on the path ({@link DefinitionReader} sets
 * {@code ''} around the query; a SECURITY DEFINER plpgsql function declares {@code SET search_path = pg_catalog,
 * pg_temp}, which deparses the same and keeps pg_temp from shadowing the catalogs its own statements name), so that
 * names in definitions and expressions come out schema-qualified and do not depend on the reader's path.
 */
public final class DefinitionSql {
    /** Classpath location of the query. */
    public static final String RESOURCE = "/io/pgkb/schemas/ddl/table-definition.sql";
    private static final Pattern TOKEN = Pattern.compile("(?<!:):relid\\b");
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String TEXT = load();

    private DefinitionSql() {
    }

    /** The query as stored, with the {@code :relid} token. */
    public static String text() {
        return TEXT;
    }

    /** For JDBC: one parameter, the relation's oid (bind it with {@code setLong}). */
    public static String forJdbc() {
        return replace("(?)::pg_catalog.oid");
    }

    /**
     * For a plpgsql body: {@code :relid} becomes {@code variable} (an {@code oid} variable or parameter). Use it as a
     * scalar subquery, e.g. {@code def := (<this>);}.
     */
    public static String forPlpgsql(String variable) {
        if (!IDENT.matcher(variable).matches()) {
            throw new IllegalArgumentException("not a plain plpgsql variable name: " + variable);
        }
        return replace(variable);
    }

    private static String replace(String with) {
        return TOKEN.matcher(TEXT).replaceAll(Matcher.quoteReplacement(with));
    }

    private static String load() {
        try (InputStream in = DefinitionSql.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
