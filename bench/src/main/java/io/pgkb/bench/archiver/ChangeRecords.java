package io.pgkb.bench.archiver;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Change records shaped like the producer's: an orders-like row, single-object encoded, pgkb.* headers. */
final class ChangeRecords {
    final TableId table;
    final ChangeEnvelopes env;
    private final Random random = new Random(1);
    private long lsn = 0x2000_0000L;

    ChangeRecords(TableId table) {
        this.table = table;
        this.env = new ChangeEnvelopes(new RelationDef(20000, table, 'd', List.of(
                new ColumnDef("id", 20, -1, "bigint", true),
                new ColumnDef("customer", 25, -1, "text", false),
                new ColumnDef("amount", 1700, (12 << 16 | 2) + 4, "numeric(12,2)", false),
                new ColumnDef("status", 25, -1, "text", false),
                new ColumnDef("created", 1184, -1, "timestamp with time zone", false),
                new ColumnDef("note", 25, -1, "text", false))));
    }

    private static final String[] STATUS = {"new", "paid", "shipped", "cancelled"};
    private static final String[] WORDS = {"express", "gift", "fragile", "return", "priority", "bulk", "sample", "late"};

    ProducerRecord<byte[], byte[]> next(String topic, int partitions, long id) {
        long commitLsn = lsn += 120;
        String note = WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " order " + random.nextInt(100000);
        GenericRecord row = env.row(List.of(Long.toString(id), "customer-" + random.nextInt(50000),
                random.nextInt(100000) + "." + (10 + random.nextInt(90)), STATUS[random.nextInt(STATUS.length)],
                "2026-11-21 10:" + (10 + random.nextInt(49)) + ":" + (10 + random.nextInt(49)) + "+00", note));
        ChangeSource src = new ChangeSource(commitLsn - 40, commitLsn, 5000 + id, 1_790_000_000_000_000L + id * 1000, 0, table);
        byte[] key = SingleObjectCodec.encode(env.schemas().key(), env.key(row));
        byte[] value = SingleObjectCodec.encode(env.schemas().value(), env.value(Op.INSERT, null, row, null, src));
        RecordHeaders h = new RecordHeaders();
        h.add(Headers.OP, "INSERT".getBytes(StandardCharsets.UTF_8));
        h.add(Headers.TABLE, table.qualified().getBytes(StandardCharsets.UTF_8));
        h.add(Headers.LSN, Lsn.of(src.lsn()).toString().getBytes(StandardCharsets.UTF_8));
        h.add(Headers.COMMIT_LSN, Lsn.of(commitLsn).toString().getBytes(StandardCharsets.UTF_8));
        h.add(Headers.XID, Long.toString(src.xid()).getBytes(StandardCharsets.UTF_8));
        h.add(Headers.SEQ, "0".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, (int) (id % partitions), null, key, value, h);
    }
}
