package io.pgkb.schemas.dump;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ddl.TableDefinition;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest of one table dump ({@code dumps/<D>/manifest.json}). It is written after the data object is
 * durable, so its presence is the dump's commit point: a dump directory without a manifest is garbage.
 *
 * <p>{@code lsn} is D, the consistent point of the snapshot: every transaction whose commit record starts
 * before D is in the data, every one with {@code commit_lsn ≥ D} is not and must be replayed from segments.
 *
 * <p>{@code definition} is the table's definition at D (docs/definitions.md), read in the dump's snapshot; null in
 * manifests written before definitions were recorded, which restore as they always did (columns and primary key).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"format_version", "schema", "table", "lsn", "lsn_value", "snapshot", "server_version",
        "server_version_num", "taken_at", "columns", "primary_key", "row_count", "data_key", "data_format",
        "data_bytes", "uncompressed_bytes", "data_sha256", "copy_settings", "definition"})
public record DumpManifest(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("schema") String schema,
        @JsonProperty("table") String table,
        @JsonProperty("lsn") String lsn,
        @JsonProperty("lsn_value") long lsnValue,
        @JsonProperty("snapshot") String snapshot,
        @JsonProperty("server_version") String serverVersion,
        @JsonProperty("server_version_num") int serverVersionNum,
        @JsonProperty("taken_at") String takenAt,
        @JsonProperty("columns") List<Column> columns,
        @JsonProperty("primary_key") List<String> primaryKey,
        @JsonProperty("row_count") long rowCount,
        @JsonProperty("data_key") String dataKey,
        @JsonProperty("data_format") String dataFormat,
        @JsonProperty("data_bytes") long dataBytes,
        @JsonProperty("uncompressed_bytes") long uncompressedBytes,
        @JsonProperty("data_sha256") String dataSha256,
        @JsonProperty("copy_settings") Map<String, String> copySettings,
        @JsonProperty("definition") TableDefinition definition) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One column of the dumped table, in COPY order. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"name", "type", "type_oid", "not_null", "ordinal"})
    public record Column(
            @JsonProperty("name") String name,
            @JsonProperty("type") String type,
            @JsonProperty("type_oid") long typeOid,
            @JsonProperty("not_null") boolean notNull,
            @JsonProperty("ordinal") int ordinal) {
        public Column {
            Objects.requireNonNull(name, "column name");
            Objects.requireNonNull(type, "column type");
        }
    }

    /** A manifest without a definition (dumps taken before definitions were recorded). */
    public DumpManifest(int formatVersion, String schema, String table, String lsn, long lsnValue, String snapshot,
                        String serverVersion, int serverVersionNum, String takenAt, List<Column> columns,
                        List<String> primaryKey, long rowCount, String dataKey, String dataFormat, long dataBytes,
                        long uncompressedBytes, String dataSha256, Map<String, String> copySettings) {
        this(formatVersion, schema, table, lsn, lsnValue, snapshot, serverVersion, serverVersionNum, takenAt, columns,
                primaryKey, rowCount, dataKey, dataFormat, dataBytes, uncompressedBytes, dataSha256, copySettings, null);
    }

    public DumpManifest {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(lsn, "lsn");
        columns = columns == null ? List.of() : List.copyOf(columns);
        primaryKey = primaryKey == null ? List.of() : List.copyOf(primaryKey);
        copySettings = copySettings == null ? Map.of() : Map.copyOf(copySettings);
    }

    public TableId tableId() {
        return new TableId(schema, table);
    }

    /** D, the consistent point of the dump's snapshot. */
    public Lsn consistentPoint() {
        return Lsn.parse(lsn);
    }

    public Instant takenAtInstant() {
        return Instant.parse(takenAt);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise dump manifest of " + schema + "." + table, e);
        }
    }

    /**
     * Parses a manifest; {@code where} names the object in the error. A manifest that cannot be read, is of a
     * newer format, or contradicts itself makes the dump unusable: the archive is corrupt for it (exit 3).
     */
    public static DumpManifest fromJson(byte[] json, String where) {
        DumpManifest m;
        try {
            m = JSON.readValue(json, DumpManifest.class);
        } catch (IOException | RuntimeException e) {
            throw new PgkbException.ArchiveIncompleteException("unreadable dump manifest " + where + ": "
                    + (e.getMessage() == null ? "malformed JSON" : Messages.firstLine(e.getMessage())));
        }
        if (m.formatVersion() < 1 || m.formatVersion() > FORMAT_VERSION) {
            throw new PgkbException.ArchiveIncompleteException("dump manifest " + where + " has format_version "
                    + m.formatVersion() + ", this pgkb reads up to " + FORMAT_VERSION);
        }
        if (!DumpFormat.DATA_FORMAT.equals(m.dataFormat())) {
            throw new PgkbException.ArchiveIncompleteException("dump manifest " + where + " has data_format '"
                    + m.dataFormat() + "', expected '" + DumpFormat.DATA_FORMAT + "'");
        }
        Lsn d;
        try {
            d = Lsn.parse(m.lsn());
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ArchiveIncompleteException("dump manifest " + where + ": " + e.getMessage());
        }
        if (d.asLong() != m.lsnValue()) {
            throw new PgkbException.ArchiveIncompleteException("dump manifest " + where + ": lsn " + m.lsn()
                    + " and lsn_value " + Long.toUnsignedString(m.lsnValue()) + " disagree");
        }
        if (m.definition() != null && (m.definition().formatVersion() < 1
                || m.definition().formatVersion() > TableDefinition.FORMAT_VERSION)) {
            throw new PgkbException.ArchiveIncompleteException("dump manifest " + where + " holds a definition of format_version "
                    + m.definition().formatVersion() + ", this pgkb reads up to " + TableDefinition.FORMAT_VERSION);
        }
        if (m.dataKey() == null || m.dataSha256() == null || m.columns().isEmpty()) {
            throw new PgkbException.ArchiveIncompleteException("dump manifest " + where
                    + " lacks data_key, data_sha256 or columns");
        }
        return m;
    }

}
