package io.pgkb.store.catalog;

import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Read side of the archive: what it holds, found from object keys (no object is read unless asked). Callers
 * that need contents (progress records, schemas, segment records) use {@link ProgressReader},
 * {@link ArchiveSchemas} and the segment reader.
 */
public final class ArchiveCatalog {
    private final ObjectStore store;
    private final ArchiveLayout layout;

    public ArchiveCatalog(ObjectStore store, ArchiveLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    public ObjectStore store() {
        return store;
    }

    public ArchiveLayout layout() {
        return layout;
    }

    /** Every table that has a folder in the archive (dumps or segments). */
    public List<TableId> tables() {
        TreeSet<TableId> out = new TreeSet<>();
        String root = layout.tablesRoot();
        for (ObjectStore.ObjectInfo o : list(root)) {
            String rest = o.key().substring(root.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                TableId.fromArchiveName(rest.substring(0, slash)).ifPresent(out::add);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Exit 2 when the archive holds nothing at all of {@code table} (a mistyped name, another --topic-prefix, a table
     * never captured). One listing of at most one key, not of the whole archive.
     */
    public void requireKnown(TableId table) {
        String root = layout.tableRoot(table);
        boolean any;
        try {
            any = store.anyUnder(root);
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot list " + store.describe(root) + ": " + e.getMessage(), e);
        }
        if (!any) {
            throw new PgkbException.ConfigException("table " + table + ": the archive at " + store.describe(layout.root())
                    + " holds nothing of it (a mistyped name, another --topic-prefix, or a table never captured; pgkb list shows"
                    + " what it holds)");
        }
    }

    /** Completed dumps of a table, oldest first. A dump folder without a manifest is unfinished and skipped. */
    public List<DumpRef> dumps(TableId table) {
        TreeMap<Lsn, DumpRef> out = new TreeMap<>();
        String root = layout.dumpsDir(table);
        for (ObjectStore.ObjectInfo o : list(root)) {
            String rest = o.key().substring(root.length());
            if (!rest.endsWith("/manifest.json")) {
                continue;
            }
            String hex = rest.substring(0, rest.length() - "/manifest.json".length());
            if (hex.length() != 16 || !hex.matches("[0-9a-f]{16}")) {
                continue;
            }
            Lsn d = Lsn.fromHex16(hex);
            out.put(d, new DumpRef(table, d, layout.dumpManifest(table, d), layout.dumpData(table, d)));
        }
        return new ArrayList<>(out.values());
    }

    /** The newest dump with {@code D <= target}. */
    public Optional<DumpRef> newestDumpAtOrBefore(TableId table, long target) {
        DumpRef found = null;
        for (DumpRef d : dumps(table)) {
            if (Lsn.compare(d.lsn().asLong(), target) <= 0) {
                found = d;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Segment objects of a table per partition, in offset order (overlaps possible, see README "Archive"). */
    public Map<Integer, List<SegmentRef>> segments(TableId table) {
        return segmentsUnder(layout.segmentsRoot(table));
    }

    /** Segment objects of the {@code _progress} topic per partition. */
    public Map<Integer, List<SegmentRef>> progressSegments() {
        return segmentsUnder(layout.progressSegmentsRoot());
    }

    /** Keys under {@code root} that look like {@code <partition>/<first>-<last>.avro} but are not well formed. */
    public List<String> strayKeys(TableId table) {
        List<String> out = new ArrayList<>();
        String root = layout.segmentsRoot(table);
        for (ObjectStore.ObjectInfo o : list(root)) {
            if (parse(root, o) == null) {
                out.add(o.key());
            }
        }
        return out;
    }

    private Map<Integer, List<SegmentRef>> segmentsUnder(String root) {
        Map<Integer, List<SegmentRef>> out = new TreeMap<>();
        for (ObjectStore.ObjectInfo o : list(root)) {
            SegmentRef ref = parse(root, o);
            if (ref != null) {
                out.computeIfAbsent(ref.partition(), p -> new ArrayList<>()).add(ref);
            }
        }
        for (List<SegmentRef> refs : out.values()) {
            refs.sort((a, b) -> a.firstOffset() != b.firstOffset()
                    ? Long.compare(a.firstOffset(), b.firstOffset()) : Long.compare(a.lastOffset(), b.lastOffset()));
        }
        return out;
    }

    private static SegmentRef parse(String root, ObjectStore.ObjectInfo o) {
        String rest = o.key().substring(root.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || rest.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        int partition;
        try {
            partition = Integer.parseInt(rest.substring(0, slash));
        } catch (NumberFormatException e) {
            return null;
        }
        long[] range = ArchiveLayout.parseSegmentName(rest.substring(slash + 1));
        if (range == null || range[1] < range[0]) {
            return null;
        }
        return new SegmentRef(partition, range[0], range[1], o.key(), o.size());
    }

    private List<ObjectStore.ObjectInfo> list(String prefix) {
        try {
            return store.list(prefix);
        } catch (IOException e) {
            throw new PgkbException.FatalException("cannot list " + store.describe(prefix) + ": " + e.getMessage(), e);
        }
    }
}
