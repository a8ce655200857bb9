package io.pgkb.restorer;

import io.pgkb.restorer.internal.KafkaTail;
import io.pgkb.restorer.internal.RestoreResult;
import io.pgkb.restorer.internal.Restorer;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.PgUrl;
import io.pgkb.schemas.config.TopicPrefixOption;
import io.pgkb.schemas.ui.JsonReport;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.StoreOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgkb restore}: rebuilds chosen tables at one LSN, time or mark from the archive. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore chosen tables at an LSN, time or mark from the archive (and with --bootstrap-servers the tail still "
                + "in Kafka) into a target database. "
                + "Refuses (exit 3) when the archive cannot prove completeness, and (exit 2) when a target table exists without --replace.")
public final class RestoreCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    KafkaTailOptions kafka = new KafkaTailOptions();

    @Option(names = "--target", required = true, paramLabel = "URL",
            description = "Target database: postgresql:// URI or JDBC URL; PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE apply")
    String target;

    @Option(names = "--tables", required = true, paramLabel = "LIST",
            description = "schema.table[=schema.newname],… in SQL identifier syntax (quote with \" where needed)")
    String tables;

    @Mixin
    TopicPrefixOption topicPrefix = new TopicPrefixOption();

    @Mixin
    PointOptions.To point = new PointOptions.To();

    @Option(names = "--replace", description = "Replace existing target tables (atomic swap)")
    boolean replace;

    @Option(names = "--dry-run", description = "Print the plan and verify the archive; change nothing")
    boolean dryRun;

    @Option(names = "--parallel", defaultValue = "" + RestoreTuning.DEFAULT_PARALLEL, paramLabel = "N", description = "Tables rebuilt at once (default: ${DEFAULT-VALUE})")
    int parallel = RestoreTuning.DEFAULT_PARALLEL;

    @Option(names = "--batch-keys", defaultValue = "" + RestoreTuning.DEFAULT_BATCH_KEYS, paramLabel = "N",
            description = "Keys folded per set-wise batch; the first batch, merged into the dump load, may hold 4 times as"
                    + " many; bounds memory (default: ${DEFAULT-VALUE})")
    int batchKeys = RestoreTuning.DEFAULT_BATCH_KEYS;

    @Option(names = "--load-connections", defaultValue = "" + RestoreTuning.DEFAULT_LOAD_CONNECTIONS, paramLabel = "N",
            description = "Connections each table's dump load is spread over: the server parses a COPY on one core per "
                    + "connection (default: ${DEFAULT-VALUE})")
    int loadConnections = RestoreTuning.DEFAULT_LOAD_CONNECTIONS;

    @Option(names = "--json", description = "One JSON document on stdout: the plan and the result, or the error and exit code; "
            + "the text output goes to stderr")
    boolean json;

    PrintStream out = System.out;
    PrintStream err = System.err;

    public void validate() {
        store.validate();
        kafka.validate();
        point.checkCount(true);
        if (parallel < 1) {
            throw new PgkbException.ConfigException("--parallel: must be at least 1, got " + parallel);
        }
        if (batchKeys < 1) {
            throw new PgkbException.ConfigException("--batch-keys: must be at least 1, got " + batchKeys);
        }
        if (loadConnections < 1) {
            throw new PgkbException.ConfigException("--load-connections: must be at least 1, got " + loadConnections);
        }
        topicPrefix.value();
        point.spec();
        TableTarget.parseList(tables);
        pgUrl();
    }

    private PgUrl pgUrl() {
        try {
            return PgUrl.parse(target);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--target: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        List<TableTarget> list = TableTarget.parseList(tables);
        String prefix = topicPrefix.value();
        try (ObjectStore s = store.openArchive(prefix, false); KafkaTail tail = kafka.open(prefix)) {
            RestoreResult result = new Restorer(s, tail, prefix, pgUrl(), new RestoreTuning(parallel, batchKeys, loadConnections),
                    json ? err : out).restore(list, point.spec(), replace, dryRun);
            if (json) {
                out.println(JsonReport.of("restore", 0, result.toJson()));
            }
        }
        return 0;
    }
}
