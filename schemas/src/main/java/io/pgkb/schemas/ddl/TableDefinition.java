package io.pgkb.schemas.ddl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A table's definition as the source's catalogs held it at one moment (docs/definitions.md, DESIGN §11): what a
 * restore needs to rebuild the table and not only its rows. Produced by {@code table-definition.sql}
 * ({@link DefinitionSql}), which is also the JSON format ({@link #toJson()}, {@link #fromJson(String)}): the
 * dump manifest embeds it and DDL records carry it.
 *
 * <p>Definitions and expressions are PostgreSQL's own text ({@code pg_get_constraintdef}, {@code pg_get_indexdef},
 * {@code pg_get_expr}, {@code pg_get_triggerdef}, {@code format_type}), read with {@code search_path = ''} so every
 * name outside {@code pg_catalog} is schema-qualified. {@code oid} identifies the source relation only and is not
 * part of {@link #equals(Object)}; {@link #canonical()} is the form to compare a restored copy with its source.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TableDefinition(
        int formatVersion,
        long oid,
        String schema,
        String table,
        String schemaIdent,
        String tableIdent,
        String relkind,
        String persistence,
        String owner,
        String tablespace,
        List<String> options,
        String replicaIdentity,
        String replicaIdentityIndex,
        boolean rlsEnabled,
        boolean rlsForced,
        String comment,
        List<Grant> acl,
        List<Column> columns,
        List<Constraint> constraints,
        List<Index> indexes,
        List<Sequence> sequences,
        List<Policy> policies,
        List<Trigger> triggers) {

    /** The format this code writes and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public TableDefinition {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        schemaIdent = schemaIdent == null ? TableId.quoteIdent(schema) : schemaIdent;
        tableIdent = tableIdent == null ? TableId.quoteIdent(table) : tableIdent;
        options = options == null ? List.of() : List.copyOf(options);
        acl = acl == null ? null : List.copyOf(acl);
        columns = columns == null ? List.of() : List.copyOf(columns);
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        indexes = indexes == null ? List.of() : List.copyOf(indexes);
        sequences = sequences == null ? List.of() : List.copyOf(sequences);
        policies = policies == null ? List.of() : List.copyOf(policies);
        triggers = triggers == null ? List.of() : List.copyOf(triggers);
    }

    /**
     * One column, in attnum order. {@code defaultExpr} is the DEFAULT expression (null for generated columns, whose
     * expression is {@code generated} with {@code generatedKind} 's' for STORED); {@code identity} is 'a' (ALWAYS),
     * 'd' (BY DEFAULT) or null; {@code collation} is set only when it differs from the type's default;
     * {@code missing} is {@code attmissingval} as PostgreSQL prints it (a one-element array literal), the value rows
     * older than an {@code ADD COLUMN … DEFAULT} read ({@link #missingValue()}). {@code acl} are column privileges.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Column(String name, int attnum, String type, String collation, boolean notNull,
                         @JsonProperty("default") String defaultExpr, String identity, String generated,
                         String generatedKind, boolean hasMissing, String missing, String comment, List<Grant> acl) {
        public Column {
            Objects.requireNonNull(name, "column name");
            Objects.requireNonNull(type, "column type");
            acl = acl == null ? null : List.copyOf(acl);
        }

        /** True for a generated column: COPY neither writes nor reads it, and it is not in a dump's data. */
        @JsonIgnore
        public boolean hasGenerationExpression() {
            return generated != null;
        }

        /**
         * The text form of the value rows older than the column's {@code ADD COLUMN} hold (the element of
         * {@code attmissingval}), null when there is none.
         */
        @JsonIgnore
        public String missingValue() {
            return hasMissing && missing != null ? ArrayElement.single(missing) : null;
        }
    }

    /**
     * A constraint: {@code type} is PostgreSQL's {@code contype} (p, u, c, x, f); {@code definition} is
     * {@code pg_get_constraintdef}; {@code index} names the index backing p/u/x; {@code referenced*} name the table a
     * foreign key points at ({@code referencedQualified} is its quoted, qualified form as it appears in the
     * definition).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Constraint(String name, String type, String definition, String index, boolean validated,
                             String referencedSchema, String referencedTable, String referencedQualified,
                             String comment) {
        public Constraint {
            Objects.requireNonNull(name, "constraint name");
            Objects.requireNonNull(type, "constraint type");
            Objects.requireNonNull(definition, "constraint definition");
        }

        @JsonIgnore
        public boolean isForeignKey() {
            return "f".equals(type);
        }

        @JsonIgnore
        public TableId referencedTableId() {
            return referencedTable == null ? null : new TableId(referencedSchema, referencedTable);
        }
    }

    /** An index that backs no constraint; {@code definition} is {@code pg_get_indexdef}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Index(String name, String definition, boolean valid, boolean clustered, String tablespace,
                        String comment) {
        public Index {
            Objects.requireNonNull(name, "index name");
            Objects.requireNonNull(definition, "index definition");
        }
    }

    /**
     * A sequence owned by a column: {@code kind} "serial" (OWNED BY, used through the column's DEFAULT) or
     * "identity". {@code lastValue} is the sequence's last value when it was read (sequences are not transactional:
     * it may be newer than the rest of the definition, never older), null when never called or not readable.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Sequence(String name, String schema, String qualified, String column, String kind, String type,
                           long start, long increment, long min, long max, long cache, boolean cycle, Long lastValue) {
        public Sequence {
            Objects.requireNonNull(name, "sequence name");
            Objects.requireNonNull(column, "sequence column");
        }

        @JsonIgnore
        public boolean isIdentity() {
            return "identity".equals(kind);
        }
    }

    /** A row-level security policy; {@code command} is {@code polcmd} (r, a, w, d, *); roles by name or PUBLIC. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Policy(String name, boolean permissive, String command, List<String> roles, String using,
                         String withCheck) {
        public Policy {
            Objects.requireNonNull(name, "policy name");
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }

    /** A user trigger ({@code pg_get_triggerdef}); {@code enabled} is {@code tgenabled} (O, D, R, A). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Trigger(String name, String definition, String enabled) {
        public Trigger {
            Objects.requireNonNull(name, "trigger name");
            Objects.requireNonNull(definition, "trigger definition");
        }
    }

    /** One privilege of one grantee ({@code aclexplode}); grantee "PUBLIC" for everyone. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Grant(String grantee, String privilege, boolean grantable, String grantor) {
    }

    public TableId tableId() {
        return new TableId(schema, table);
    }

    /** The quoted, schema-qualified name as PostgreSQL's deparsed definitions print it. */
    @JsonIgnore
    public String qualified() {
        return schemaIdent + "." + tableIdent;
    }

    /** The columns a dump's COPY carries, in order: every column except generated ones. */
    @JsonIgnore
    public List<Column> storedColumns() {
        return columns.stream().filter(c -> !c.hasGenerationExpression()).toList();
    }

    @JsonIgnore
    public List<Constraint> foreignKeys() {
        return constraints.stream().filter(Constraint::isForeignKey).toList();
    }

    @JsonIgnore
    public Constraint primaryKey() {
        return constraints.stream().filter(c -> "p".equals(c.type())).findFirst().orElse(null);
    }

    /**
     * The definition as comparable text: one line per property, with this table's schema and name normalised out
     * (see {@link CanonicalText}), so a restored copy under another schema or name compares equal to its source.
     * State that is not definition is left out: oid, attnum, {@code attmissingval}, sequences' last values, grantors.
     */
    public String canonical() {
        return CanonicalText.of(this);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the definition of " + schema + "." + table, e);
        }
    }

    /**
     * Parses a definition as {@code table-definition.sql} produces it. Unreadable JSON or a newer format is an
     * {@link PgkbException.ArchiveIncompleteException} (the archive holds something this pgkb cannot use).
     */
    public static TableDefinition fromJson(String json) {
        TableDefinition d;
        try {
            d = JSON.readValue(json, TableDefinition.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new PgkbException.ArchiveIncompleteException("unreadable table definition: "
                    + (e.getMessage() == null ? "malformed JSON" : Messages.firstLine(e.getMessage())));
        }
        if (d.formatVersion() < 1 || d.formatVersion() > FORMAT_VERSION) {
            throw new PgkbException.ArchiveIncompleteException("table definition of " + d.schema() + "." + d.table()
                    + " has format_version " + d.formatVersion() + ", this pgkb reads up to " + FORMAT_VERSION);
        }
        return d;
    }

    /** Equal definitions: every component except {@code oid}. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TableDefinition d && withoutOid().equals(d.withoutOid());
    }

    @Override
    public int hashCode() {
        return withoutOid().hashCode();
    }

    private List<Object> withoutOid() {
        return Arrays.asList(formatVersion, schema, table, schemaIdent, tableIdent, relkind, persistence, owner,
                tablespace, options, replicaIdentity, replicaIdentityIndex, rlsEnabled, rlsForced, comment, acl, columns,
                constraints, indexes, sequences, policies, triggers);
    }
}
