package io.pgkb.restorer.internal;

import static io.pgkb.restorer.internal.Sql.q;

import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.TableDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a restored table from its definition (DESIGN §11, docs/definitions.md), in two steps around the load, as
 * {@code pg_restore} does:
 * <ol>
 * <li>{@link #createTable} before the load, with the definition the dump was taken with (its manifest's): columns
 * with types, collations, NOT NULL and generated expressions, storage options, tablespace. No defaults, identity or
 * constraints yet: the dump's COPY and the replay write every stored column themselves.</li>
 * <li>{@link #afterLoad} after the load and the replay of changes, with the definition at the restore point T:
 * owned sequences (serial and identity) set past every restored value and at least the source's last value,
 * defaults, NOT NULL, the primary key's name, UNIQUE / CHECK / EXCLUDE constraints, indexes, replica identity and
 * comments. Indexes and sequences get temporary names ({@link ObjectNames}); {@link Built#renames()} says what the
 * swap renames them to. Foreign keys, owner, privileges, row-level security and triggers are the swap's
 * ({@link TableSwap}): they depend on the other tables of the run and on what the target holds then.</li>
 * </ol>
 * Something the definition names that the target lacks (a type, a tablespace, a function) is a one-line
 * ConfigException (exit 2); the caller drops the work table. An object whose column is no longer in the table at T
 * (a definition older than a later DROP COLUMN) is left out and reported.
 */
public final class DefinitionApplier {
    private static final Pattern CREATE_INDEX = Pattern.compile("^CREATE (UNIQUE )?INDEX (?:\"(?:[^\"]|\"\")*\"|\\S+) ON (?:ONLY )?");

    private final Connection conn;
    private final TableDefinition def;
    private final ObjectNames names;
    private final TableId work;
    private final List<Rename> renames = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Source object name → temporary name, for the replica identity and comments. */
    private final Map<String, String> temporaries = new HashMap<>();

    private DefinitionApplier(Connection conn, TableDefinition def, ObjectNames names) {
        this.conn = conn;
        this.def = def;
        this.names = names;
        this.work = names.work();
    }

    /** What {@link #afterLoad} built: renames for the swap, foreign keys for the swap, objects left out. */
    public record Built(TableDefinition definition, List<Rename> renames, List<TableDefinition.Constraint> foreignKeys,
                        List<String> notes) {
    }

    /** One object built under a temporary name: {@code constraint} renames through the table (and its index). */
    public record Rename(Kind kind, String temporary, String finalName) {
        public enum Kind { CONSTRAINT, INDEX, SEQUENCE }
    }

    /** Creates {@code work} with the columns of {@code def} (the definition at the dump); the schema exists. */
    public static void createTable(Connection conn, TableDefinition def, TableId work) throws SQLException {
        List<String> cols = new ArrayList<>();
        for (TableDefinition.Column c : def.columns()) {
            StringBuilder s = new StringBuilder(q(c.name())).append(' ').append(c.type());
            if (c.collation() != null) {
                s.append(" COLLATE ").append(c.collation());
            }
            if (c.hasGenerationExpression()) {
                s.append(" GENERATED ALWAYS AS (").append(c.generated()).append(") STORED");
            }
            if (c.notNull()) {
                s.append(" NOT NULL");
            }
            cols.add(s.toString());
        }
        String sql = "CREATE " + ("u".equals(def.persistence()) ? "UNLOGGED " : "") + "TABLE " + work.quoted() + " ("
                + Sql.join(cols) + ")" + (def.options().isEmpty() ? "" : " WITH (" + String.join(", ", def.options()) + ")")
                + (def.tablespace() == null ? "" : " TABLESPACE " + q(def.tablespace()));
        try {
            Sql.exec(conn, sql);
        } catch (SQLException e) {
            throw DefinitionErrors.orConfig(e, def.tableId(), "its columns");
        }
    }

    /**
     * Completes the work table with the definition at T (after the load and the replay; the connection's transaction
     * is the caller's to commit).
     */
    public static Built afterLoad(Connection conn, TableDefinition def, ObjectNames names) throws SQLException {
        DefinitionApplier a = new DefinitionApplier(conn, def, names);
        return a.build();
    }

    private Built build() throws SQLException {
        Map<String, Boolean> present = columns();
        Map<String, String> sequenceRefs = sequences(present);
        for (TableDefinition.Column c : def.columns()) {
            Boolean notNull = present.get(c.name());
            if (notNull == null || c.hasGenerationExpression()) {
                continue;
            }
            if (c.notNull() != notNull) {
                attempt("NOT NULL of column " + c.name(), alter() + " ALTER COLUMN " + q(c.name())
                        + (c.notNull() ? " SET" : " DROP") + " NOT NULL");
            }
            if (c.defaultExpr() != null) {
                attempt("default of column " + c.name(), alter() + " ALTER COLUMN " + q(c.name()) + " SET DEFAULT "
                        + withSequences(c.defaultExpr(), sequenceRefs));
            }
        }
        primaryKey();
        List<TableDefinition.Constraint> foreignKeys = new ArrayList<>();
        for (TableDefinition.Constraint k : def.constraints()) {
            switch (k.type()) {
                case "p" -> { }
                case "f" -> foreignKeys.add(k);
                case "u", "x" -> {
                    String temp = names.temporary();
                    if (attempt("constraint " + k.name(), alter() + " ADD CONSTRAINT " + q(temp) + " " + k.definition())) {
                        renamed(Rename.Kind.CONSTRAINT, k.name(), temp);
                    }
                }
                default -> attempt("constraint " + k.name(), alter() + " ADD CONSTRAINT " + q(names.finalName(k.name())) + " "
                        + k.definition());
            }
        }
        for (TableDefinition.Index i : def.indexes()) {
            if (i.valid()) {
                index(i);
            }
        }
        replicaIdentity();
        comments(present);
        return new Built(def, List.copyOf(renames), foreignKeys, List.copyOf(notes));
    }

    /** The work table's columns and whether each is NOT NULL now. */
    private Map<String, Boolean> columns() throws SQLException {
        Map<String, Boolean> out = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT attname, attnotnull FROM pg_catalog.pg_attribute "
                + "WHERE attrelid = pg_catalog.to_regclass(?) AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setString(1, work.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        return out;
    }

    /**
     * Creates the owned sequences under temporary names and sets each so that its next value is past every restored
     * value and not below the source's last value; returns source {@code 'qualified'} → new regclass literal text.
     */
    private Map<String, String> sequences(Map<String, Boolean> present) throws SQLException {
        Map<String, String> refs = new HashMap<>();
        for (TableDefinition.Sequence s : def.sequences()) {
            if (!present.containsKey(s.column())) {
                notes.add("sequence " + s.name() + " not recreated: column " + s.column() + " is not in the table at the restore point");
                continue;
            }
            String temp = names.temporary();
            String qualified = q(work.schema()) + "." + q(temp);
            String options = " INCREMENT BY " + s.increment() + " MINVALUE " + s.min() + " MAXVALUE " + s.max()
                    + " START WITH " + s.start() + " CACHE " + s.cache() + (s.cycle() ? " CYCLE" : " NO CYCLE");
            TableDefinition.Column col = def.columns().stream().filter(c -> c.name().equals(s.column())).findFirst().orElse(null);
            boolean identity = s.isIdentity() && col != null && col.identity() != null;
            String sql = identity
                    ? alter() + " ALTER COLUMN " + q(s.column()) + " ADD GENERATED " + ("a".equals(col.identity()) ? "ALWAYS" : "BY DEFAULT")
                            + " AS IDENTITY (SEQUENCE NAME " + qualified + options + ")"
                    : "CREATE SEQUENCE " + qualified + " AS " + s.type() + options + " OWNED BY " + work.quoted() + "." + q(s.column());
            if (!attempt("sequence " + s.name(), sql)) {
                continue;
            }
            renamed(Rename.Kind.SEQUENCE, s.name(), temp);
            if (s.qualified() != null) {
                refs.put(s.qualified(), qualified);
            }
            Long next = nextFloor(s);
            if (next != null) {
                try (PreparedStatement ps = conn.prepareStatement("SELECT pg_catalog.setval(?::regclass, ?, true)")) {
                    ps.setString(1, qualified);
                    ps.setLong(2, next);
                    ps.execute();
                }
            }
        }
        return refs;
    }

    /** The value to set: the furthest of the source's last value and the restored rows' values, within the bounds. */
    private Long nextFloor(TableDefinition.Sequence s) throws SQLException {
        boolean up = s.increment() > 0;
        Long rows;
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + (up ? "max" : "min") + "(" + q(s.column())
                + ")::bigint FROM " + work.quoted())) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                rows = (Long) rs.getObject(1);
            }
        }
        Long v = s.lastValue();
        if (rows != null) {
            v = v == null ? rows : up ? Math.max(v, rows) : Math.min(v, rows);
        }
        return v == null ? null : Math.max(s.min(), Math.min(s.max(), v));
    }

    /** A DEFAULT expression whose owned sequences are the new ones. */
    private static String withSequences(String expr, Map<String, String> refs) {
        String out = expr;
        for (Map.Entry<String, String> e : refs.entrySet()) {
            out = out.replace(Sql.literal(e.getKey()) + "::regclass", Sql.literal(e.getValue()) + "::regclass");
        }
        return out;
    }

    /** The work table's primary key (added before the replay) renamed at the swap; added or dropped to match T. */
    private void primaryKey() throws SQLException {
        String current = primaryKeyName(conn, work);
        TableDefinition.Constraint pk = def.primaryKey();
        if (pk == null) {
            if (current != null) {
                Sql.exec(conn, alter() + " DROP CONSTRAINT " + q(current));
            }
            return;
        }
        if (current == null) {
            current = names.temporary();
            if (!attempt("primary key " + pk.name(), alter() + " ADD CONSTRAINT " + q(current) + " " + pk.definition())) {
                return;
            }
        }
        renamed(Rename.Kind.CONSTRAINT, pk.name(), current);
    }

    /** The name of {@code table}'s primary key constraint, null without one. */
    static String primaryKeyName(Connection conn, TableId table) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = pg_catalog.to_regclass(?) AND contype = 'p'")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private void index(TableDefinition.Index i) throws SQLException {
        String temp = names.temporary();
        Matcher m = CREATE_INDEX.matcher(i.definition());
        String on = m.find() ? i.definition().substring(m.end()) : null;
        String rest = on == null ? null : on.startsWith(def.qualified() + " ") ? on.substring(def.qualified().length())
                : on.startsWith(def.tableIdent() + " ") ? on.substring(def.tableIdent().length()) : null;
        if (rest == null) {
            notes.add("index " + i.name() + " not recreated: its definition does not name the table as expected: " + i.definition());
            return;
        }
        String sql = "CREATE " + (m.group(1) == null ? "" : m.group(1)) + "INDEX " + q(temp) + " ON " + work.quoted() + rest;
        if (!attempt("index " + i.name(), sql)) {
            return;
        }
        renamed(Rename.Kind.INDEX, i.name(), temp);
        if (i.tablespace() != null) {
            attempt("tablespace of index " + i.name(), "ALTER INDEX " + q(work.schema()) + "." + q(temp) + " SET TABLESPACE "
                    + q(i.tablespace()));
        }
        if (i.clustered()) {
            attempt("CLUSTER ON index " + i.name(), alter() + " CLUSTER ON " + q(temp));
        }
    }

    private void replicaIdentity() throws SQLException {
        String ri = def.replicaIdentity();
        if (ri == null || "d".equals(ri)) {
            return;
        }
        String how = switch (ri) {
            case "n" -> "NOTHING";
            case "f" -> "FULL";
            default -> temporaries.containsKey(def.replicaIdentityIndex())
                    ? "USING INDEX " + q(temporaries.get(def.replicaIdentityIndex())) : null;
        };
        if (how == null) {
            notes.add("replica identity USING INDEX " + def.replicaIdentityIndex() + " not set: the index was not recreated");
            return;
        }
        attempt("replica identity", alter() + " REPLICA IDENTITY " + how);
    }

    private void comments(Map<String, Boolean> present) throws SQLException {
        if (def.comment() != null) {
            attempt("comment", "COMMENT ON TABLE " + work.quoted() + " IS " + Sql.literal(def.comment()));
        }
        for (TableDefinition.Column c : def.columns()) {
            if (c.comment() != null && present.containsKey(c.name())) {
                attempt("comment on column " + c.name(), "COMMENT ON COLUMN " + work.quoted() + "." + q(c.name()) + " IS "
                        + Sql.literal(c.comment()));
            }
        }
        for (TableDefinition.Constraint k : def.constraints()) {
            if (k.comment() != null && !k.isForeignKey()) {
                String name = temporaries.getOrDefault(k.name(), names.finalName(k.name()));
                attempt("comment on constraint " + k.name(), "COMMENT ON CONSTRAINT " + q(name) + " ON " + work.quoted()
                        + " IS " + Sql.literal(k.comment()));
            }
        }
        for (TableDefinition.Index i : def.indexes()) {
            if (i.comment() != null && temporaries.containsKey(i.name())) {
                attempt("comment on index " + i.name(), "COMMENT ON INDEX " + q(work.schema()) + "." + q(temporaries.get(i.name()))
                        + " IS " + Sql.literal(i.comment()));
            }
        }
    }

    private void renamed(Rename.Kind kind, String sourceName, String temp) {
        temporaries.put(sourceName, temp);
        renames.add(new Rename(kind, temp, names.finalName(sourceName)));
    }

    private String alter() {
        return "ALTER TABLE " + work.quoted();
    }

    private boolean attempt(String what, String sql) throws SQLException {
        return DefinitionErrors.attempt(conn, def.tableId(), what, sql, notes, false);
    }
}
