package io.pgkb.schemas;

/**
 * Object keys of the archive (DESIGN §4), relative to the store root. The format version is in every key.
 *
 * <pre>
 * &lt;prefix&gt;/v1/tables/&lt;schema&gt;.&lt;table&gt;/segments/&lt;partition&gt;/&lt;first&gt;-&lt;last&gt;.avro   offsets zero-padded to 20 digits
 * &lt;prefix&gt;/v1/tables/&lt;schema&gt;.&lt;table&gt;/dumps/&lt;D as 16 hex&gt;/manifest.json                   written last
 * &lt;prefix&gt;/v1/tables/&lt;schema&gt;.&lt;table&gt;/dumps/&lt;D&gt;/data.copy.zst                              COPY text format, zstd
 * &lt;prefix&gt;/v1/progress/segments/&lt;partition&gt;/&lt;first&gt;-&lt;last&gt;.avro
 * &lt;prefix&gt;/v1/schemas/&lt;fingerprint&gt;.avsc
 * &lt;prefix&gt;/v1/quarantine/&lt;escaped topic&gt;/&lt;partition&gt;/&lt;offset&gt;.bin
 * </pre>
 */
public final class ArchiveLayout {
    public static final String VERSION = "v1";
    private final String root;

    public ArchiveLayout(String prefix) {
        this.root = prefix + "/" + VERSION + "/";
    }

    public String root() {
        return root;
    }

    public String tablesRoot() {
        return root + "tables/";
    }

    public String tableRoot(TableId table) {
        return tablesRoot() + table.archiveName() + "/";
    }

    public String segmentsDir(TableId table, int partition) {
        return tableRoot(table) + "segments/" + partition + "/";
    }

    public String segmentsRoot(TableId table) {
        return tableRoot(table) + "segments/";
    }

    public String progressSegmentsDir(int partition) {
        return root + "progress/segments/" + partition + "/";
    }

    public String progressSegmentsRoot() {
        return root + "progress/segments/";
    }

    public static String segmentName(long firstOffset, long lastOffset) {
        return String.format("%020d-%020d.avro", firstOffset, lastOffset);
    }

    /** Parses {@code <first>-<last>.avro}; null when the name is not a segment name. */
    public static long[] parseSegmentName(String fileName) {
        if (!fileName.matches("\\d{1,20}-\\d{1,20}\\.avro")) {
            return null;
        }
        String[] p = fileName.substring(0, fileName.length() - 5).split("-");
        return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
    }

    public String dumpsDir(TableId table) {
        return tableRoot(table) + "dumps/";
    }

    public String dumpDir(TableId table, Lsn d) {
        return dumpsDir(table) + d.toHex16() + "/";
    }

    public String dumpManifest(TableId table, Lsn d) {
        return dumpDir(table, d) + "manifest.json";
    }

    public String dumpData(TableId table, Lsn d) {
        return dumpDir(table, d) + "data.copy.zst";
    }

    public String schema(String fingerprintHex) {
        return root + "schemas/" + fingerprintHex + ".avsc";
    }

    /** Registry mode (DESIGN §14): the fingerprint, as 16 hex digits, of the schema a schema registry gave this id. */
    public String registryId(int id) {
        return root + "schemas/registry/" + Integer.toUnsignedString(id) + ".fingerprint";
    }

    public String quarantine(String topic, int partition, long offset) {
        return root + "quarantine/" + Names.escape(topic) + "/" + partition + "/" + String.format("%020d", offset) + ".bin";
    }
}
