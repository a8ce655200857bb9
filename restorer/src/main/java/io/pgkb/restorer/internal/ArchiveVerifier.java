package io.pgkb.restorer.internal;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.ArchivedEntry;
import io.pgkb.store.catalog.DumpRef;
import io.pgkb.store.catalog.ProgressIndex;
import io.pgkb.store.catalog.ProgressReader;
import io.pgkb.store.catalog.SegmentRef;
import io.pgkb.store.catalog.SegmentStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code pgkb verify}: reads every object of the chosen tables and reports every problem, one line each: corrupt
 * segments and dumps, offsets missing between segments from the replay start of the oldest dump on, overlapping
 * objects that disagree, unreadable progress records.
 */
public final class ArchiveVerifier {
    private final ArchiveCatalog catalog;
    private final String prefix;
    private final Consumer<String> problems;
    private int count;

    private final Consumer<String> notes;

    /** @param notes facts worth knowing that are not damage (a table without a dump yet) */
    public ArchiveVerifier(ArchiveCatalog catalog, String prefix, Consumer<String> problems, Consumer<String> notes) {
        this.catalog = catalog;
        this.prefix = prefix;
        this.notes = notes;
        this.problems = p -> {
            count++;
            problems.accept(p);
        };
    }

    /** @return the number of problems found */
    public int verify(List<TableId> tables) {
        ProgressIndex progress;
        try {
            progress = ProgressReader.index(catalog);
        } catch (PgkbException e) {
            problems.accept("progress: " + e.getMessage());
            progress = new ProgressIndex(List.of());
        }
        for (TableId t : tables) {
            verifyTable(t, progress);
        }
        return count;
    }

    private void verifyTable(TableId table, ProgressIndex progress) {
        ObjectStore store = catalog.store();
        List<DumpRef> dumps = catalog.dumps(table);
        for (DumpRef d : dumps) {
            String where = store.describe(d.dataKey());
            try {
                DumpManifest m = DumpManifest.fromJson(store.get(d.manifestKey()), store.describe(d.manifestKey()));
                try (InputStream in = DumpFormat.openVerified(store.open(d.dataKey()), m, where)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            } catch (PgkbException e) {
                problems.accept("table " + table + ": " + e.getMessage());
            } catch (IOException e) {
                problems.accept("table " + table + ": dump " + d.lsn() + " unreadable: " + where + ": " + e.getMessage());
            }
        }
        String topic = table.topic(prefix);
        Map<Integer, Long> start = dumps.isEmpty() ? Map.of() : progress.replayStart(topic, dumps.get(0).lsn().asLong());
        for (Map.Entry<Integer, List<SegmentRef>> e : catalog.segments(table).entrySet()) {
            int p = e.getKey();
            long from = start.getOrDefault(p, 0L);
            long reach = from;
            SegmentRef previous = null;
            for (SegmentRef ref : e.getValue()) {
                try (SegmentStream s = SegmentStream.open(store, ref)) {
                    s.drain();
                } catch (PgkbException x) {
                    problems.accept("table " + table + ": " + x.getMessage());
                    continue;
                }
                if (ref.lastOffset() < from) {
                    continue;
                }
                if (ref.firstOffset() > reach) {
                    problems.accept("table " + table + " partition " + p + ": offsets " + reach + "-" + (ref.firstOffset() - 1)
                            + " are missing (no object between " + (previous == null ? "the replay start of the oldest dump" : store.describe(previous.key()))
                            + " and " + store.describe(ref.key()) + ")");
                } else if (previous != null && ref.firstOffset() <= previous.lastOffset()) {
                    compareOverlap(table, previous, ref);
                }
                if (ref.lastOffset() + 1 > reach) {
                    reach = ref.lastOffset() + 1;
                    previous = ref;
                }
            }
            long bound = progress.partitions(topic).getOrDefault(p, 0L);
            if (reach < bound) {
                problems.accept("table " + table + " partition " + p + ": offsets " + reach + "-" + (bound - 1)
                        + " are missing: progress records acknowledge them but no object holds them (archiver behind, or objects lost)");
            }
        }
        for (String stray : catalog.strayKeys(table)) {
            problems.accept("table " + table + ": object with an unexpected key in the segments folder: " + store.describe(stray));
        }
        if (dumps.isEmpty()) {
            notes.accept("table " + table + ": no dump yet, nothing of it can be restored");
        }
    }

    /** Overlapping objects must hold identical records for the offsets they share (README "Archive"). */
    private void compareOverlap(TableId table, SegmentRef a, SegmentRef b) {
        long from = Math.max(a.firstOffset(), b.firstOffset());
        long to = Math.min(a.lastOffset(), b.lastOffset());
        ObjectStore store = catalog.store();
        try (SegmentStream x = SegmentStream.open(store, a); SegmentStream y = SegmentStream.open(store, b)) {
            ArchivedEntry ex = skipTo(x, from);
            ArchivedEntry ey = skipTo(y, from);
            while (ex != null && ey != null && ex.offset() <= to && ey.offset() <= to) {
                if (ex.offset() != ey.offset() || ex.commitLsn() != ey.commitLsn() || ex.seq() != ey.seq()
                        || !Arrays.equals(ex.key(), ey.key()) || !Arrays.equals(ex.value(), ey.value())) {
                    problems.accept("table " + table + " partition " + a.partition() + ": overlapping objects disagree at offset "
                            + Math.min(ex.offset(), ey.offset()) + ": " + store.describe(a.key()) + " and " + store.describe(b.key()));
                    return;
                }
                ex = x.next();
                ey = y.next();
            }
        } catch (PgkbException e) {
            problems.accept("table " + table + ": " + e.getMessage());
        }
    }

    private static ArchivedEntry skipTo(SegmentStream s, long offset) {
        ArchivedEntry e = s.next();
        while (e != null && e.offset() < offset) {
            e = s.next();
        }
        return e;
    }
}
