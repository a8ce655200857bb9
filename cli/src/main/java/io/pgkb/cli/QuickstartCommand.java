package io.pgkb.cli;

import io.pgkb.archiver.ArchiveCommand;
import io.pgkb.archiver.Archiver;
import io.pgkb.archiver.ArchiverConfig;
import io.pgkb.cli.internal.ArchiveLag;
import io.pgkb.cli.internal.DemoDatabase;
import io.pgkb.cli.internal.DemoDatabase.Fingerprint;
import io.pgkb.producer.ProduceCommand;
import io.pgkb.producer.Producer;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.Durations;
import io.pgkb.schemas.ui.ProgressReporter;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.ObjectStores;
import io.pgkb.store.S3Options;
import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.pgkb.testkit.LocalStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code pgkb quickstart}: the whole chain on a real PostgreSQL 17 and a real Kafka broker started on this machine
 * (no Docker): a demo schema under a live workload, the producer and an archiver in this process, a dump, a named
 * mark, then a point-in-time restore of the tables into another schema, compared row by row (md5) with what the
 * source held at the mark.
 */
@Command(name = "quickstart", sortOptions = false,
        description = "Run the whole pipeline on a real local PostgreSQL and Kafka: workload, capture, archive, dump, mark, "
                + "point-in-time restore into another schema, md5 comparison with the source at the mark.",
        footer = {"", "Needs no Docker: PostgreSQL 17 comes from embedded binaries, Kafka runs in a child JVM.",
                "Example: pgkb quickstart --keep"})
public final class QuickstartCommand implements Callable<Integer> {
    private static final String MARKER = ".pgkb-quickstart";
    private static final String DATABASE = "quickstart";
    private static final String MARK = "quickstart-mark";
    private static final String GROUP = "pgkb-quickstart";

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = "--keep", description = "leave PostgreSQL, Kafka, the producer, the archiver and a light workload running "
            + "(connection strings printed) until Ctrl-C")
    boolean keep;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "quickstart-data",
            description = "where PostgreSQL, Kafka and the archive keep their files; emptied first if an earlier quickstart made it "
                    + "(default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--workload-duration", paramLabel = "DURATION", defaultValue = "12s",
            description = "how long the demo workload runs before the restore (default: ${DEFAULT-VALUE})")
    String workloadDuration;

    private Duration workload;
    private PrintWriter out;
    private long t0;
    private final CountDownLatch cleanedUp = new CountDownLatch(1);

    void validate() {
        workload = Durations.option("--workload-duration", workloadDuration);
        if (workload.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new PgkbException.ConfigException("--workload-duration: at least 3s, got " + workloadDuration);
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        if (Files.isRegularFile(dataDir)) {
            throw new PgkbException.ConfigException("--data-dir " + dataDir + " is a file");
        }
        if (Files.isDirectory(dataDir) && !Files.exists(dataDir.resolve(MARKER)) && !isEmpty(dataDir)) {
            throw new PgkbException.ConfigException("--data-dir " + dataDir + " is not empty and was not made by pgkb quickstart;"
                    + " choose another directory");
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        out = spec.commandLine().getOut();
        t0 = System.nanoTime();
        prepareDataDir();
        Path archive = dataDir.resolve("archive");
        say("pgkb quickstart: PostgreSQL 17 and Kafka on this machine, the whole chain in this process (data in " + dataDir + ")");

        LocalStack stack = null;
        LocalPostgres pg = null;
        LocalKafka kafka = null;
        Producer producer = null;
        Archiver archiver = null;
        Thread archiverThread = null;
        ObjectStore store = null;
        DemoDatabase demo = null;
        try {
            stack = LocalStack.start(dataDir);
            pg = stack.postgres();
            kafka = stack.kafka();
            stack.createDatabaseIfMissing(DATABASE);
            say("PostgreSQL 17 ready    postgresql://" + pg.user() + "@localhost:" + pg.port() + "/" + DATABASE);
            say("Kafka ready            " + kafka.bootstrapServers());

            demo = new DemoDatabase(pg.jdbcUrl(DATABASE), pg.connectionProperties());
            demo.create();
            say("demo schema            shop.accounts (1000 accounts), shop.orders");

            String pgUri = pg.uri(DATABASE);
            String bs = kafka.bootstrapServers();
            ProduceCommand produce = new ProduceCommand();
            new CommandLine(produce).parseArgs("--pg", pgUri, "--bootstrap-servers", bs, "--tables", String.join(",", DemoDatabase.TABLES),
                    "--partitions", "2", "--slot", "pgkb_quickstart", "--publication", "pgkb_quickstart");
            producer = new Producer(produce.validate());
            producer.start();
            say("producer running       slot pgkb_quickstart -> topics pgkb.shop.accounts, pgkb.shop.orders (2 partitions each)");

            ArchiveCommand archive0 = new ArchiveCommand();
            new CommandLine(archive0).parseArgs("--bootstrap-servers", bs, "--store", archive.toString(), "--group", GROUP,
                    "--segment-max-age", "1s", "--spool-dir", dataDir.resolve("spool").toString());
            ArchiverConfig archiverConfig = archive0.validate();
            store = ObjectStores.open(archive.toString(), S3Options.defaults());
            archiver = new Archiver(archiverConfig, store);
            Archiver a = archiver;
            archiverThread = new Thread(a::run, "pgkb-quickstart-archiver");
            archiverThread.start();
            say("archiver running       consumer group " + GROUP + " -> " + archive);

            demo.startWorkload();
            say("workload running       transfers, orders, cancellations in small transactions");
            pace(workload.dividedBy(3));

            run("dump", "--pg", pgUri, "--store", archive.toString(), "--tables", String.join(",", DemoDatabase.TABLES));
            say("dump taken             shop.accounts, shop.orders (" + demo.transactions() + " transactions so far)");
            pace(workload.dividedBy(3));

            Fingerprint[] atMark = demo.markAndFingerprint(MARK);
            say("mark '" + MARK + "'  shop.accounts " + atMark[0].rows() + " rows, shop.orders " + atMark[1].rows()
                    + " rows at the mark");
            pace(workload.dividedBy(3));
            long txs = demo.stopWorkload();
            say("workload stopped       " + txs + " transactions; the source has moved on since the mark");

            try (ArchiveLag lag = new ArchiveLag(bs, GROUP, Archiver.topicPattern("pgkb"))) {
                ProgressReporter progress = ProgressReporter.create("archiving");
                long[] last = {-1};
                boolean archived = lag.awaitArchived(Duration.ofSeconds(90), l -> {
                    if (last[0] < 0) {
                        progress.start(l, "records");
                    } else if (l < last[0]) {
                        progress.advance(last[0] - l);
                    }
                    last[0] = l;
                });
                progress.done();
                if (!archived) {
                    throw new PgkbException.FatalException("the archiver did not archive everything within 90s; see the log above");
                }
            }
            say("archive complete       every record written so far is in " + archive);

            runRestore(pgUri, archive);
            Fingerprint[] restored = new Fingerprint[DemoDatabase.TABLES.length];
            try (var c = demo.connect()) {
                for (int i = 0; i < DemoDatabase.TABLES.length; i++) {
                    restored[i] = DemoDatabase.fingerprint(c, DemoDatabase.TABLES[i].replace("shop.", "restored."));
                }
            }
            boolean match = true;
            out.println();
            out.printf("%-16s %-36s %-36s %s%n", "table", "source at mark (rows md5)", "restored (rows md5)", "");
            for (int i = 0; i < DemoDatabase.TABLES.length; i++) {
                boolean same = atMark[i].equals(restored[i]);
                match &= same;
                out.printf("%-16s %-36s %-36s %s%n", DemoDatabase.TABLES[i], atMark[i].rows() + " " + atMark[i].md5(),
                        restored[i].rows() + " " + restored[i].md5(), same ? "MATCH" : "DIFFERENT");
            }
            out.println();
            run("verify", "--store", archive.toString());
            say("archive verified       every checksum and offset range checked (pgkb verify)");
            out.println();
            run("list", "--store", archive.toString());
            out.println();
            say("one change record as other teams see it (pgkb inspect):");
            run("inspect", "--bootstrap-servers", bs, "--table", "shop.orders", "--from-beginning", "--max-records", "1");
            out.println();
            where(pg, kafka, archive);
            if (!match) {
                throw new PgkbException.FatalException("the restored tables differ from the source at the mark");
            }
            say("done: restored at the mark, identical to the source at that point");
            if (keep) {
                demo.startWorkload();
                keepRunning(pg, kafka, archive);
            }
            return 0;
        } finally {
            out.flush();
            if (demo != null) {
                try {
                    demo.stopWorkload();
                } catch (RuntimeException e) {
                    // already reported, or irrelevant while stopping
                }
            }
            if (producer != null) {
                producer.stop();
            }
            if (archiver != null) {
                archiver.stop();
                archiver.awaitFinished(Duration.ofSeconds(60));
            }
            if (store != null) {
                store.close();
            }
            if (stack != null) {
                stack.close();
            }
            cleanedUp.countDown();
        }
    }

    /** Restores both tables at the mark into schema {@code restored}; retried while the archive is still catching up. */
    private void runRestore(String pgUri, Path archive) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("restore", "--store", archive.toString(), "--target", pgUri, "--tables",
                "shop.accounts=restored.accounts,shop.orders=restored.orders", "--to-mark", MARK));
        int code = -1;
        for (int attempt = 1; attempt <= 5; attempt++) {
            code = run(args.toArray(String[]::new), attempt < 5 ? List.of(3) : List.of());
            if (code == 0) {
                say("restored               shop.accounts -> restored.accounts, shop.orders -> restored.orders at mark '" + MARK + "'");
                return;
            }
            say("archive not complete yet for the mark (exit 3), retrying in 2s");
            Thread.sleep(2000); // the archive needs time; nothing to wait on but the clock
        }
        throw new PgkbException.FatalException("restore failed with exit code " + code);
    }

    private void where(LocalPostgres pg, LocalKafka kafka, Path archive) {
        out.println("Where everything is:");
        out.println("  PostgreSQL  postgresql://" + pg.user() + "@localhost:" + pg.port() + "/" + DATABASE
                + "  (password in " + pg.dataDirectory() + ".password)");
        out.println("  Kafka       " + kafka.bootstrapServers() + "  topics pgkb.shop.accounts, pgkb.shop.orders, pgkb._schemas, pgkb._progress"
                + "  (broker log " + kafka.logFile() + ")");
        out.println("  archive     " + archive + "/pgkb/v1  (segments and dumps per table)");
        out.println();
    }

    private void keepRunning(LocalPostgres pg, LocalKafka kafka, Path archive) throws InterruptedException {
        out.println("Still running (light workload on); press Ctrl-C to stop everything. Try in another terminal:");
        out.println("  PGPASSWORD=$(cat " + pg.dataDirectory() + ".password) psql -h localhost -p " + pg.port() + " -U " + pg.user() + " " + DATABASE);
        out.println("  ./pgkb inspect --bootstrap-servers " + kafka.bootstrapServers() + " --table shop.orders");
        out.println("  PGPASSWORD=$(cat " + pg.dataDirectory() + ".password) ./pgkb restore --store " + archive
                + " --target postgresql://" + pg.user() + "@localhost:" + pg.port() + "/" + DATABASE
                + " --tables shop.orders=restored.orders_latest --latest");
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        // Ctrl-C and SIGTERM are caught before the JVM starts shutting down, so the producer and archiver stop
        // (flush, confirm, commit) while Kafka and PostgreSQL still run; the shutdown hooks of those would
        // otherwise kill them at the same time. A second signal takes the default way out.
        List<Signal> signals = List.of(new Signal("INT"), new Signal("TERM"));
        for (Signal sig : signals) {
            Signal.handle(sig, s -> {
                stop.countDown();
                for (Signal again : signals) {
                    Signal.handle(again, SignalHandler.SIG_DFL);
                }
            });
        }
        // any other way out (SIGHUP, System.exit elsewhere): at least wait for the cleanup below
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                cleanedUp.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pgkb-quickstart-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
            say("stopping: producer, archiver, Kafka, PostgreSQL");
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and waits for the cleanup
            }
        }
    }

    /** Runs a pgkb subcommand in this process, with the same logging options; exit codes other than 0 fail the quickstart. */
    private int run(String... args) {
        return run(args, List.of());
    }

    private int run(String[] args, List<Integer> tolerated) {
        List<String> full = new ArrayList<>();
        if (main != null && main.logLevel != null) {
            full.add("--log-level=" + main.logLevel);
        }
        if (main != null && main.logFormat != null) {
            full.add("--log-format=" + main.logFormat);
        }
        full.addAll(List.of(args));
        CommandLine cl = Main.commandLine();
        cl.setOut(spec.commandLine().getOut());
        cl.setErr(spec.commandLine().getErr());
        int code = cl.execute(full.toArray(String[]::new));
        if (code != 0 && !tolerated.contains(code)) {
            throw new PgkbException.FatalException("quickstart step 'pgkb " + args[0] + "' failed with exit code " + code);
        }
        return code;
    }

    private void pace(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // the workload runs for a while on purpose: this is the demo's clock
    }

    private void say(String line) {
        out.printf("[%5.1fs] %s%n", (System.nanoTime() - t0) / 1e9, line);
        out.flush();
    }

    private void prepareDataDir() throws IOException {
        if (Files.isDirectory(dataDir) && Files.exists(dataDir.resolve(MARKER))) {
            try (Stream<Path> walk = Files.walk(dataDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(dataDir)) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve(MARKER), "made by pgkb quickstart; the next quickstart empties this directory\n");
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
