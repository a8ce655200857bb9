package io.pgkb.archiver;

import io.pgkb.archiver.dump.DumpPolicyOptions;
import io.pgkb.archiver.dump.DumpScheduler;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.config.KafkaOptions;
import io.pgkb.schemas.config.PgOption;
import io.pgkb.schemas.config.TopicPrefixOption;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.StoreOptions;
import io.pgkb.store.StoreStartWait;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgkb archive}: consume every topic of a prefix as one member of a consumer group into the archive. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = "Archive the change topics of a prefix into offset-ranged segments on a filesystem or S3 (one consumer-group member); "
                + "with --pg also take dumps by policy.")
public class ArchiveCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ArchiveCommand.class);

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    TopicPrefixOption topicPrefix = new TopicPrefixOption();

    @Option(names = "--group", defaultValue = ArchiverConfig.DEFAULT_GROUP, description = "Consumer group id (default: ${DEFAULT-VALUE})")
    String group;

    @Option(names = "--spool-dir", paramLabel = "DIR", defaultValue = "${java.io.tmpdir}/pgkb-spool",
            description = "Local directory for segments being built, records uncompressed: up to about 3 x"
                    + " --segment-max-bytes per assigned partition: uploading, sealed, open (default: ${DEFAULT-VALUE})")
    Path spoolDir;

    @Option(names = "--segment-max-bytes", paramLabel = "SIZE", defaultValue = ArchiverConfig.DEFAULT_SEGMENT_MAX_SIZE,
            description = "Roll a segment when its records reach this size (default: ${DEFAULT-VALUE})")
    String segmentMaxBytes;

    @Option(names = "--segment-max-records", paramLabel = "N", defaultValue = ArchiverConfig.DEFAULT_SEGMENT_MAX_RECORDS,
            description = "Roll a segment at this many records (default: ${DEFAULT-VALUE})")
    long segmentMaxRecords;

    @Option(names = "--segment-max-age", paramLabel = "DURATION", defaultValue = ArchiverConfig.DEFAULT_SEGMENT_MAX_AGE,
            description = "Roll a segment this long after its first record (default: ${DEFAULT-VALUE})")
    String segmentMaxAge;

    @Option(names = "--on-bad-record", paramLabel = "fail|quarantine", defaultValue = ArchiverConfig.DEFAULT_ON_BAD_RECORD,
            description = "A record that is not a valid change record: stop (exit 1) or store it under quarantine/ and go on (default: ${DEFAULT-VALUE})")
    String onBadRecord;

    @Option(names = "--upload-threads", paramLabel = "N", defaultValue = ArchiverConfig.DEFAULT_UPLOAD_THREADS,
            description = "Concurrent segment uploads (default: ${DEFAULT-VALUE})")
    int uploadThreads;

    /** The database dumps are taken from; without it no dumps are taken. */
    @Mixin
    PgOption pg = new PgOption();

    @Mixin
    DumpPolicyOptions dumpPolicy = new DumpPolicyOptions();

    private ArchiverConfig config;

    /** Checks every option; errors name the option (exit 2). */
    public ArchiverConfig validate() {
        kafka.bootstrapServers();
        store.validate();
        String prefix = topicPrefix.value();
        ArchiverConfig.Builder settings = ArchiverConfig.builder(kafka.bootstrapServers(), prefix, spoolDir).group(group)
                .segmentMaxSize(segmentMaxBytes).segmentMaxRecords(segmentMaxRecords).segmentMaxAge(segmentMaxAge);
        settings.onBadRecord(switch (onBadRecord == null ? "" : onBadRecord) {
            case "fail" -> ArchiverConfig.BadRecordPolicy.FAIL;
            case "quarantine" -> ArchiverConfig.BadRecordPolicy.QUARANTINE;
            default -> throw new PgkbException.ConfigException("--on-bad-record: expected fail or quarantine, got '" + onBadRecord + "'");
        }).uploadThreads(uploadThreads);
        if (pg.given()) {
            pg.url();
            dumpPolicy.validate();
        }
        config = settings.kafka(kafka.clientConfig()).build();
        return config;
    }

    @Override
    public Integer call() throws Exception {
        ArchiverConfig c = validate();
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean clean = new AtomicBoolean();
        // a store that does not answer yet is waited for, as the running archiver waits out a store outage
        try (ObjectStore objects = StoreStartWait.open(() -> store.openArchive(c.topicPrefix(), true))) {
            Archiver archiver = new Archiver(c, objects);
            Thread hook = new Thread(() -> {
                log.info("stop requested, flushing segments");
                archiver.stop();
                try {
                    if (done.await(5, TimeUnit.MINUTES) && clean.get()) {
                        // SIGTERM is a graceful stop: once everything buffered is durable and committed, exit 0
                        // rather than the JVM's 143 for a signal.
                        System.out.flush();
                        System.err.flush();
                        Runtime.getRuntime().halt(0);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pgkb-archiver-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            AutoCloseable dumps = startDumps(objects, archiver);
            try {
                archiver.run();
                clean.set(true);
            } finally {
                if (dumps != null) {
                    dumps.close();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook is running and waits for us
                }
            }
        } finally {
            done.countDown();
        }
        return 0;
    }

    /** With --pg, dumps by policy and retention run beside archiving (DumpScheduler of io.pgkb.archiver.dump). */
    private AutoCloseable startDumps(ObjectStore objects, Archiver archiver) {
        if (!pg.given()) {
            return null;
        }
        DumpScheduler scheduler = new DumpScheduler(pg.url(), objects, config.topicPrefix(), dumpPolicy.policy())
                .withPublication(dumpPolicy.publication)
                .withTableSource(archiver::knownTables);
        archiver.onRewrite(scheduler::rewritten);
        scheduler.start();
        return scheduler;
    }
}
