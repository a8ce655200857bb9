package io.pgkb.restorer;

import io.pgkb.restorer.internal.HistoryRun;
import io.pgkb.restorer.internal.KafkaTail;
import io.pgkb.restorer.internal.TailProgress;
import io.pgkb.schemas.ArchiveLayout;
import io.pgkb.schemas.TableId;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.ArchiveCatalog;
import io.pgkb.store.catalog.ProgressIndex;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;

/**
 * What an archive, and the tail still in Kafka, prove and hold: the restorer's read side for programs that embed it
 * (benchmarks, tools). {@code pgkb list} and {@code pgkb history} do the same with options; refusals are
 * {@code PgkbException}s with the exit code the command would give.
 */
public final class ArchiveReader implements AutoCloseable {
    private final ObjectStore store;
    private final String prefix;
    private final KafkaTail tail;

    /**
     * @param bootstrapServers the brokers to read the tail from (no consumer group, nothing committed); null: the
     *                         archive alone
     * @param kafkaConfig      Kafka client properties (TLS, SASL), may be empty
     */
    public ArchiveReader(ObjectStore store, String topicPrefix, String bootstrapServers, Properties kafkaConfig) {
        this.store = store;
        this.prefix = topicPrefix;
        this.tail = bootstrapServers == null ? null : new KafkaTail(bootstrapServers, kafkaConfig, topicPrefix);
    }

    /** The progress records proven by the archive alone, and with the records still in Kafka after them. */
    public record Progress(ProgressIndex archived, ProgressIndex withKafka) {
    }

    /** What one history read read and printed. */
    public record HistoryStats(long records, long printed, long bytes, int partitions, long millis) {
    }

    /** Reads the progress records again (the archive's, then Kafka's after them when this reader has brokers). */
    public Progress progress() {
        TailProgress p = TailProgress.load(new ArchiveCatalog(store, new ArchiveLayout(prefix)), tail);
        return new Progress(p.archived(), p.all());
    }

    /**
     * Reads every change of {@code table} (or of the rows whose primary key is {@code key}) between {@code from}
     * (null: the oldest dump) and {@code to} without printing it, as {@code pgkb history} would read it.
     *
     * @param withKafka also the tail in Kafka (this reader's brokers); false: the archive alone
     */
    public HistoryStats history(TableId table, Map<String, String> key, RestoreTargetSpec from, RestoreTargetSpec to, boolean withKafka)
            throws IOException {
        HistoryRun.Stats s = new HistoryRun(store, withKafka ? tail : null, prefix).run(table, key, from, to, e -> { });
        return new HistoryStats(s.records(), s.printed(), s.bytes(), s.partitions(), s.millis());
    }

    @Override
    public void close() {
        if (tail != null) {
            tail.close();
        }
    }
}
