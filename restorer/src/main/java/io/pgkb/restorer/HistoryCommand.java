package io.pgkb.restorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.restorer.internal.HistoryRun;
import io.pgkb.restorer.internal.KafkaTail;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.config.TopicPrefixOption;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.StoreOptions;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgkb history}: every change of a table, or of one row, between two points, oldest first (DESIGN §12). */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Print every change of a table (or of the rows with --key) between two points, oldest first, as JSON lines: "
                + "commit_lsn, commit_time, xid, op, key, before, after (whole rows, unchanged TOAST filled in), changed. "
                + "Refuses (exit 3) an interval the archive (and with --bootstrap-servers Kafka) cannot prove complete.",
        footer = {"", "Example: pgkb history --store s3://backups/pg --table public.accounts --key '{\"aid\":17}' --from-time 2026-11-21T09:00:00Z --latest"})
public final class HistoryCommand implements Callable<Integer> {
    private static final String DEFAULT_FORMAT = "json";

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    KafkaTailOptions kafka = new KafkaTailOptions();

    @Option(names = "--table", required = true, paramLabel = "SCHEMA.TABLE", description = "The table, in SQL identifier syntax")
    String table;

    @Option(names = "--key", paramLabel = "JSON",
            description = "Only the rows whose primary key equals this, e.g. '{\"id\":17}' (values as PostgreSQL prints them); "
                    + "a key change in the interval is followed to the new key")
    String key;

    @Mixin
    TopicPrefixOption topicPrefix = new TopicPrefixOption();

    @Mixin
    PointOptions.From from = new PointOptions.From();

    @Mixin
    PointOptions.To to = new PointOptions.To();

    @Option(names = "--format", defaultValue = DEFAULT_FORMAT, paramLabel = "json|table",
            description = "json: one JSON object per line (default); table: aligned columns for people, the changed values shown")
    String format = DEFAULT_FORMAT;

    PrintStream out = System.out;

    public void validate() {
        store.validate();
        kafka.validate();
        tableId();
        keyValues();
        from.checkCount();
        to.checkCount(false);
        if (!format.equals("json") && !format.equals("table")) {
            throw new PgkbException.ConfigException("--format: json or table, got '" + format + "'");
        }
        topicPrefix.value();
        from.spec();
        to.spec();
    }

    TableId tableId() {
        try {
            return TableId.parse(table);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--table: " + e.getMessage());
        }
    }

    /** --key as column → text; null without it. */
    Map<String, String> keyValues() {
        if (key == null) {
            return null;
        }
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(key);
        } catch (Exception e) {
            throw new PgkbException.ConfigException("--key: not JSON: " + key);
        }
        if (n == null || !n.isObject() || n.isEmpty()) {
            throw new PgkbException.ConfigException("--key: a JSON object of the primary-key columns, e.g. '{\"id\":17}', got " + key);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                throw new PgkbException.ConfigException("--key: column " + f.getKey() + " needs a number or string, got " + f.getValue());
            }
            out.put(f.getKey(), f.getValue().asText());
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        HistoryPrinter printer = new HistoryPrinter(out, format.equals("table"));
        String prefix = topicPrefix.value();
        try (ObjectStore s = store.openArchive(prefix, false); KafkaTail tail = kafka.open(prefix)) {
            new HistoryRun(s, tail, prefix).run(tableId(), keyValues(), from.spec(), to.spec(), printer::print);
            printer.flush();
        }
        return 0;
    }
}
