package io.pgkb.schemas.dump;

import com.github.luben.zstd.ZstdInputStream;
import io.pgkb.schemas.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data object of a dump: the output of {@code COPY "schema"."table" (columns…) TO STDOUT} in PostgreSQL's
 * text format, UTF-8, compressed as one zstd stream. Columns are exactly the manifest's, in its order. One row
 * per line ({@code \n}; newlines inside values are escaped by COPY), so the line count is the row count.
 *
 * <p>Both the dumping and the loading session use {@link #SESSION_SETTINGS}, so text forms of dates, intervals,
 * floats and bytea are canonical and read back exactly.
 */
public final class DumpFormat {
    public static final String DATA_FORMAT = "copy-text+zstd";

    /** GUCs set on the session that runs the COPY, recorded in the manifest; the loader sets the same. */
    public static final Map<String, String> SESSION_SETTINGS;

    static {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("client_encoding", "UTF8");
        s.put("DateStyle", "ISO, YMD");
        s.put("IntervalStyle", "postgres");
        s.put("TimeZone", "UTC");
        s.put("extra_float_digits", "3");
        s.put("bytea_output", "hex");
        SESSION_SETTINGS = Collections.unmodifiableMap(s);
    }

    private DumpFormat() {
    }

    /** {@code SET} statements for {@link #SESSION_SETTINGS}, to run before COPY on either side. */
    public static List<String> sessionStatements() {
        List<String> out = new ArrayList<>();
        SESSION_SETTINGS.forEach((k, v) -> out.add("SET " + k + " = '" + v.replace("'", "''") + "'"));
        return out;
    }

    /** {@code ("a", "b", …)}: the manifest's columns, quoted, in COPY order. */
    public static String columnList(List<DumpManifest.Column> columns) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(TableId.quoteIdent(columns.get(i).name()));
        }
        return sb.append(')').toString();
    }

    /** The statement that loads a dump's data into {@code target} (same columns, any order in the table). */
    public static String copyFromSql(TableId target, DumpManifest manifest) {
        return "COPY " + target.quoted() + " " + columnList(manifest.columns()) + " FROM STDIN";
    }

    /**
     * Opens a dump's data object for loading: returns the decompressed COPY text. When the stream reaches its
     * end it checks the compressed size, SHA-256 and the row count against the manifest and throws
     * {@link io.pgkb.schemas.PgkbException.ArchiveIncompleteException} naming {@code where} on any mismatch, so
     * a loader that reads to the end (as {@code CopyManager.copyIn} does) never accepts corrupt or truncated data
     * without noticing. Memory stays bounded.
     */
    public static InputStream openVerified(InputStream raw, DumpManifest manifest, String where) throws IOException {
        ChecksumInputStream compressed = new ChecksumInputStream(raw);
        ZstdInputStream zstd = new ZstdInputStream(compressed);
        return new VerifyingInputStream(zstd, compressed, manifest, where);
    }
}
