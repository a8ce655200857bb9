package io.pgkb.restorer.internal;

import io.pgkb.restorer.RestoreTargetSpec;
import io.pgkb.restorer.TableTarget;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.TableId;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.ArchiveSchemas;
import io.pgkb.store.catalog.DumpRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Plans and runs one {@code pgkb history}: resolve both points, prove the range complete, then read it. */
public final class HistoryRun {
    private static final Logger log = LoggerFactory.getLogger(HistoryRun.class);
    /** Row state a whole-table history may hold (estimated heap); beyond it, --key is needed. */
    static final long MAX_STATE_BYTES = Long.getLong("pgkb.history.maxStateBytes", 256L << 20);
    private final ObjectStore store;
    private final KafkaTail tail;
    private final String prefix;

    public HistoryRun(ObjectStore store, KafkaTail tail, String prefix) {
        this.store = store;
        this.tail = tail;
        this.prefix = prefix;
    }

    /** What a run read and printed. */
    public record Stats(long records, long printed, long bytes, int partitions, long millis) {
    }

    public Stats run(TableId table, Map<String, String> key, RestoreTargetSpec from, RestoreTargetSpec to, Consumer<History.Entry> out)
            throws IOException {
        long started = System.nanoTime();
        ArchiveLayout layout = new ArchiveLayout(prefix);
        ArchiveCatalog catalog = new ArchiveCatalog(store, layout);
        SchemaResolver schemas = TailProgress.schemas(new ArchiveSchemas(store, layout), tail);
        Sources sources = new Sources(store, tail, prefix);
        TailProgress progress = TailProgress.load(catalog, tail);
        Planner planner = new Planner(catalog, progress, new ChangeDecoding(schemas), sources);
        List<TableTarget> tables = List.of(new TableTarget(table, table));
        long t = planner.resolve(to, tables);
        Long f = from == null ? null : planner.resolve(from, tables);
        if (f != null && Lsn.compare(f, t) > 0) {
            throw new PgkbException.ConfigException("the first point " + Lsn.of(f) + " (" + from.describe().replace("--to-", "--from-")
                    + ") is after the last " + Lsn.of(t) + " (" + to.describe() + ")");
        }
        long dumpPoint = f != null ? f : catalog.dumps(table).stream().findFirst().map(d -> d.lsn().asLong()).orElseThrow(() ->
                new PgkbException.ArchiveIncompleteException("table " + table + ": the archive holds no dump of it"));
        RestorePlan plan = planner.plan(t, to.describe(), tables, dumpPoint);
        RestorePlan.TablePlan tp = plan.tables().get(0);
        checkKey(table, key, tp.manifest().primaryKey());
        Set<Integer> only = key == null ? null : keyPartitions(table, key, layout, progress.all().replayStart(table.topic(prefix), tp.dump().lsn().asLong()));
        History h = null;
        if (only != null) {
            // the key's partitions only; a DELETE of the key may be half a key change into another partition: then all
            try (HistorySpool spool = new HistorySpool()) {
                h = new History(sources, schemas, plan, f, key, only, MAX_STATE_BYTES, spool::add);
                h.run();
                spool.replay(out);
            } catch (History.NeedsAllPartitions e) {
                log.info("history.all_partitions table={} key={} reason=the key was deleted in the range", table, key);
                only = null;
            }
        }
        if (only == null) {
            h = new History(sources, schemas, plan, f, key, null, MAX_STATE_BYTES, out);
            h.run();
        }
        long bytes = tp.manifest().dataBytes();
        for (RestorePlan.PartitionPlan p : tp.partitions()) {
            if (only == null || only.contains(p.partition())) {
                bytes += p.segments().stream().mapToLong(s -> s.size()).sum();
            }
        }
        Stats stats = new Stats(h.read(), h.printed(), bytes, only == null ? tp.partitions().size() : only.size(),
                (System.nanoTime() - started) / 1_000_000);
        DumpRef d = tp.dump();
        log.info("history.done table={} key={} dump={} from={} to={} records_read={} printed={} bytes_read={} partitions={} ms={}",
                table, key, d.lsn(), f == null ? "dump" : Lsn.of(f), Lsn.of(t), stats.records(), stats.printed(), stats.bytes(),
                stats.partitions(), stats.millis());
        return stats;
    }

    /**
     * The partitions the key's records can be in, when that is proven: the topic's partition count from Kafka, every
     * partition already written at the dump (partition counts only grow, so it was the same all along), and the key
     * encodable for every key schema of the table. Null: read all.
     */
    private Set<Integer> keyPartitions(TableId table, Map<String, String> key, ArchiveLayout layout, Map<Integer, Long> atDump)
            throws IOException {
        if (tail == null) {
            return null;
        }
        int n = tail.offsets(table.topic(prefix)).size();
        if (n == 0 || !atDump.keySet().equals(IntStream.range(0, n).boxed().collect(Collectors.toSet()))) {
            return null;
        }
        List<Schema> all = new ArrayList<>(tail.allSchemas());
        String root = layout.root() + "schemas/";
        for (ObjectStore.ObjectInfo o : store.list(root)) {
            if (o.key().endsWith(".avsc")) {
                try {
                    all.add(new Schema.Parser().parse(new String(store.get(o.key()), StandardCharsets.UTF_8)));
                } catch (RuntimeException e) {
                    return null; // a schema that does not parse: no proof, read all
                }
            }
        }
        return KeyPartitions.of(table, key, all, n);
    }

    private static void checkKey(TableId table, Map<String, String> key, List<String> primaryKey) {
        if (key == null) {
            return;
        }
        if (primaryKey.isEmpty()) {
            throw new PgkbException.ConfigException("--key: table " + table + " has no primary key; leave --key out for its whole history");
        }
        if (!new HashSet<>(primaryKey).equals(key.keySet())) {
            throw new PgkbException.ConfigException("--key: give exactly the primary-key columns of " + table + " " + primaryKey
                    + ", got " + key.keySet());
        }
    }
}
