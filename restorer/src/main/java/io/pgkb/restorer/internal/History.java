package io.pgkb.restorer.internal;

import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.dump.DumpFormat;
import io.pgkb.schemas.dump.DumpManifest;
import io.pgkb.store.catalog.ArchivedEntry;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code pgkb history} (DESIGN §12): the changes of one table, or of the rows with one key, between two points,
 * with whole rows. The state of the rows at the first point is rebuilt from the dump before it and the changes
 * after the dump (folded, not printed), so {@code before} and unchanged TOAST columns are exact from the first
 * printed change. Reads what a restore over the same range reads, through the same decoding.
 *
 * <p>Under a key, a DELETE of a followed key immediately followed, in the same transaction, by an INSERT (the two
 * halves of a primary-key change as the producer writes them, consecutive {@code seq}) makes the INSERT's key followed
 * too: its unchanged columns come from the deleted row.
 */
public final class History {
    /** One printed change; values in PostgreSQL text form (null = SQL NULL), columns in table order. */
    public record Entry(long commitLsn, long commitTimeMicros, long xid, Change.Op op, Map<String, String> key,
                        Map<String, String> before, Map<String, String> after, List<String> changed) implements Serializable {
    }

    /** Reading only the key's partition met a DELETE of the key: a key change may continue in another partition. */
    public static final class NeedsAllPartitions extends RuntimeException {
        NeedsAllPartitions() {
            super(null, null, false, false);
        }
    }

    private final Sources sources;
    private final SchemaResolver schemas;
    private final RestorePlan.TablePlan plan;
    private final long target;
    private final Long from;
    private final Map<String, String> key;
    private final Set<Integer> partitions;
    private final long maxStateBytes;
    private final Consumer<Entry> out;
    private final List<String> primaryKey;
    private final String name;
    private final Map<String, Map<String, String>> state = new HashMap<>();
    private final Set<ByteBuffer> followed = new HashSet<>();
    private long stateBytes;
    private long pendingLsn;
    private long pendingSeq = -1;
    private Map<String, String> pendingRow;
    private long read;
    private long printed;

    /**
     * @param from        print changes with commit_lsn above it; null: every change from the dump on
     * @param key         column → text value of the rows to follow; null: the whole table
     * @param partitions  the partitions to read; null: all of the plan's
     * @param maxStateBytes rows of state held at most (estimated heap), beyond which the history refuses
     */
    public History(Sources sources, SchemaResolver schemas, RestorePlan plan, Long from, Map<String, String> key,
                   Set<Integer> partitions, long maxStateBytes, Consumer<Entry> out) {
        this.sources = sources;
        this.schemas = schemas;
        this.plan = plan.tables().get(0);
        this.target = plan.target();
        this.from = from;
        this.key = key;
        this.partitions = partitions;
        this.maxStateBytes = maxStateBytes;
        this.out = out;
        this.primaryKey = this.plan.manifest().primaryKey();
        this.name = this.plan.table().source().toString();
    }

    /** Records read from the archive and Kafka, and changes printed. */
    public long read() {
        return read;
    }

    public long printed() {
        return printed;
    }

    public void run() throws IOException {
        loadDump();
        TableId table = plan.table().source();
        List<PartitionStream> streams = new ArrayList<>();
        long dumpLsn = plan.dump().lsn().asLong();
        for (RestorePlan.PartitionPlan p : plan.partitions()) {
            if (partitions == null || partitions.contains(p.partition())) {
                streams.add(new PartitionStream(sources, table, p.partition(), p.pieces(), p.from(), p.to(), dumpLsn, target));
            }
        }
        ChangeDecoding decoding = new ChangeDecoding(schemas);
        ChangeRecordDecoder records = new ChangeRecordDecoder(schemas);
        try (MergedStream merged = new MergedStream(streams)) {
            for (ArchivedEntry e = merged.next(); e != null; e = merged.next()) {
                read++;
                if (key != null && !relevant(e, records)) {
                    continue;
                }
                // a DDL record (DDL capture) changes no row: history lists row changes only
                if (decoding.decodeAny(e, name) instanceof Change c) {
                    apply(c, e, records);
                }
            }
        }
    }

    /** Under a key: a followed key, a TRUNCATE, or the INSERT half of a followed key's change. */
    private boolean relevant(ArchivedEntry e, ChangeRecordDecoder records) {
        if (e.key() == null || e.commitLsn() == pendingLsn && e.seq() == pendingSeq) {
            return true;
        }
        ByteBuffer k = ByteBuffer.wrap(e.key());
        if (followed.contains(k)) {
            return true;
        }
        Map<String, Object> decoded;
        try {
            decoded = records.decodeKey(e.key());
        } catch (RuntimeException x) {
            throw new PgkbException.ArchiveIncompleteException("undecodable key of table " + name + " partition " + e.partition()
                    + " offset " + e.offset() + ": " + x.getMessage());
        }
        for (Map.Entry<String, String> want : key.entrySet()) {
            Object v = decoded.get(want.getKey());
            if (v == null || !String.valueOf(v).equals(want.getValue())) {
                return false;
            }
        }
        followed.add(k);
        return true;
    }

    private void apply(Change c, ArchivedEntry e, ChangeRecordDecoder records) {
        List<String> names = c.shape().names();
        boolean print = from == null || Lsn.compare(c.commitLsn(), from) > 0;
        switch (c.op()) {
            case TRUNCATE -> {
                if (key == null) {
                    emit(print, e, records, c, null, null, null, List.of());
                } else {
                    for (Map<String, String> row : state.values()) {
                        emit(print, e, records, c, keyOf(row), row, null, List.copyOf(row.keySet()));
                    }
                }
                state.clear();
                stateBytes = 0;
            }
            case INSERT -> {
                boolean keyChange = c.commitLsn() == pendingLsn && c.seq() == pendingSeq;
                Map<String, String> after = row(names, c.after());
                fill(after, c, keyChange ? pendingRow : null, e);
                if (keyChange && key != null && e.key() != null) {
                    followed.add(ByteBuffer.wrap(e.key()));
                }
                remember(after);
                emit(print, e, records, c, keyOf(after), null, after, names);
            }
            case UPDATE -> {
                Map<String, String> after = row(names, c.after());
                Map<String, String> prior = primaryKey.isEmpty() ? row(names, c.before()) : state.get(keyText(after));
                Map<String, String> before = prior != null ? prior : c.before() == null ? null : row(names, c.before());
                fill(after, c, before, e);
                remember(after);
                List<String> changed = new ArrayList<>();
                for (String n : names) {
                    if (before == null || !before.containsKey(n) || !Objects.equals(before.get(n), after.get(n))) {
                        changed.add(n);
                    }
                }
                emit(print, e, records, c, keyOf(after), before, after, changed);
            }
            case DELETE -> {
                Map<String, String> old = row(names, c.before());
                Map<String, String> prior = primaryKey.isEmpty() ? null : forget(keyText(old));
                Map<String, String> before = prior != null ? prior : old;
                pendingLsn = c.commitLsn();
                pendingSeq = c.seq() + 1;
                pendingRow = before;
                emit(print, e, records, c, keyOf(old), before, null, List.copyOf(before.keySet()));
                if (key != null && partitions != null) {
                    throw new NeedsAllPartitions();
                }
            }
        }
    }

    /** Unchanged TOAST columns take the value of the row before; a row the history does not know is inconsistent. */
    private void fill(Map<String, String> after, Change c, Map<String, String> before, ArchivedEntry e) {
        if (!c.hasUnchanged()) {
            return;
        }
        List<String> names = c.shape().names();
        for (int i = 0; i < names.size(); i++) {
            if (c.isUnchanged(i)) {
                if (before == null || !before.containsKey(names.get(i))) {
                    throw new PgkbException.FatalException("history of " + name + ": the change at partition " + e.partition() + " offset "
                            + e.offset() + " (commit_lsn " + Lsn.of(c.commitLsn()) + ") leaves column " + names.get(i)
                            + " unchanged, but no earlier value of the row is known (change stream inconsistent)");
                }
                after.put(names.get(i), before.get(names.get(i)));
            }
        }
    }

    private void emit(boolean print, ArchivedEntry e, ChangeRecordDecoder records, Change c, Map<String, String> k,
                      Map<String, String> before, Map<String, String> after, List<String> changed) {
        if (!print) {
            return;
        }
        ChangeRecord r = records.decode(e.value());
        out.accept(new Entry(c.commitLsn(), r.commitTimeMicros(), r.xid(), c.op(), k, before, after, List.copyOf(changed)));
        printed++;
    }

    private void remember(Map<String, String> row) {
        if (primaryKey.isEmpty()) {
            return;
        }
        String k = keyText(row);
        forget(k);
        state.put(k, row);
        stateBytes += bytes(row);
        if (stateBytes > maxStateBytes) {
            throw new PgkbException.ConfigException("history of all of " + name + " needs the state of more rows than "
                    + (maxStateBytes >> 20) + " MiB hold; give --key for the history of one row");
        }
    }

    private Map<String, String> forget(String k) {
        Map<String, String> old = state.remove(k);
        if (old != null) {
            stateBytes -= bytes(old);
        }
        return old;
    }

    private static long bytes(Map<String, String> row) {
        long n = 64;
        for (Map.Entry<String, String> e : row.entrySet()) {
            n += 48 + (e.getValue() == null ? 0 : 2L * e.getValue().length());
        }
        return n;
    }

    private Map<String, String> keyOf(Map<String, String> row) {
        if (primaryKey.isEmpty()) {
            return null;
        }
        Map<String, String> k = new LinkedHashMap<>();
        for (String c : primaryKey) {
            k.put(c, row.get(c));
        }
        return k;
    }

    private String keyText(Map<String, String> row) {
        StringBuilder b = new StringBuilder();
        for (String c : primaryKey) {
            b.append(row.get(c)).append('\u0000');
        }
        return b.toString();
    }

    private static Map<String, String> row(List<String> names, String[] values) {
        if (values == null) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), values[i]);
        }
        return m;
    }

    /** The dump's rows (under a key: those with the key) as the state at the dump. */
    private void loadDump() throws IOException {
        if (primaryKey.isEmpty()) {
            return; // without a key, every old row is in the change (REPLICA IDENTITY FULL): nothing to remember
        }
        DumpManifest m = plan.manifest();
        List<String> names = m.columns().stream().map(DumpManifest.Column::name).toList();
        String where = sources.store().describe(plan.dump().dataKey());
        try (InputStream in = new BufferedInputStream(DumpFormat.openVerified(sources.store().open(plan.dump().dataKey()), m, where), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                Map<String, String> row = parse(line.toByteArray(), names);
                line.reset();
                if (key == null || matches(row)) {
                    remember(row);
                }
            }
        }
    }

    private boolean matches(Map<String, String> row) {
        for (Map.Entry<String, String> want : key.entrySet()) {
            if (!want.getValue().equals(row.get(want.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> parse(byte[] b, List<String> names) {
        Map<String, String> row = new LinkedHashMap<>();
        int start = 0;
        int col = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '\t') {
                row.put(names.get(col++), CopyText.field(b, start, i));
                start = i + 1;
            }
        }
        return row;
    }
}
