package io.pgkb.archiver.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.segment.ArchivedRecord;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spots DDL records that rewrote their table among the archived records: the stream lacks the rewritten rows, so
 * points after such a DDL are restorable only from a dump taken after it. The listener (the dump scheduler) takes
 * one as soon as it can. One fingerprint comparison per record; only DDL records are decoded.
 */
public final class RewriteWatch {
    private static final Logger log = LoggerFactory.getLogger(RewriteWatch.class);
    private final String topicPrefix;
    private final BiConsumer<TableId, Long> listener;

    /** @param listener hears (table, the DDL's commit_lsn), on the archiver's poll thread, once per partition copy */
    public RewriteWatch(String topicPrefix, BiConsumer<TableId, Long> listener) {
        this.topicPrefix = topicPrefix;
        this.listener = listener;
    }

    public void check(TopicPartition tp, ArchivedRecord a, SchemaResolver schemas) {
        byte[] v = a.value();
        if (!SingleObjectCodec.isSingleObject(v) || SingleObjectCodec.fingerprintOf(v) != DdlEvent.FINGERPRINT) {
            return;
        }
        DdlEvent e;
        try {
            e = DdlEvent.decode(v, schemas);
        } catch (RuntimeException x) {
            // archived as it is: a restore that reaches it refuses, naming it
            log.warn("DDL record topic={} partition={} offset={} does not decode: {}", tp.topic(), tp.partition(), a.offset(),
                    x.getMessage());
            return;
        }
        if (!e.rewrite()) {
            return;
        }
        TableId.fromTopic(topicPrefix, tp.topic()).ifPresent(t -> {
            log.info("ddl.rewrite table={} tag={} commit_lsn={} partition={}: a dump is due", t, e.commandTag(),
                    Lsn.of(e.commitLsn()), tp.partition());
            listener.accept(t, e.commitLsn());
        });
    }
}
