package io.pgkb.cli;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.Headers;
import io.pgkb.schemas.Lsn;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SchemaRegistrar;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes change records of a table {@code public.accounts(id bigint primary key, owner text, balance numeric(12,2))}
 * with the real codec and schema registrar, the way the producer does, so tests can read them back.
 */
final class TestRecords implements AutoCloseable {
    static final TableId ACCOUNTS = new TableId("public", "accounts");
    static final int NUMERIC_12_2 = ((12 << 16) | 2) + 4;

    private final String prefix;
    private final SchemaRegistrar registrar;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ChangeEnvelopes envelopes;
    private final String bootstrapServers;
    private long lsn = 0x1000000L;

    TestRecords(String bootstrapServers, String prefix) {
        this.bootstrapServers = bootstrapServers;
        this.prefix = prefix;
        this.registrar = new SchemaRegistrar(bootstrapServers, prefix);
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        this.envelopes = new ChangeEnvelopes(new RelationDef(16384, ACCOUNTS, 'd', List.of(
                new ColumnDef("id", PgTypes.INT8, -1, "bigint", true),
                new ColumnDef("owner", PgTypes.TEXT, -1, "text", false),
                new ColumnDef("balance", PgTypes.NUMERIC, NUMERIC_12_2, "numeric(12,2)", false))));
    }

    String topic() {
        return ACCOUNTS.topic(prefix);
    }

    void createTopic(int partitions) throws Exception {
        createTopic(partitions, true);
    }

    /** Without the value schema in {@code _schemas}: records whose writer schema nobody can find. */
    void createTopic(int partitions, boolean registerValueSchema) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic(), Optional.of(partitions), Optional.empty())))
                    .all().get(60, TimeUnit.SECONDS);
        }
        if (registerValueSchema) {
            registrar.ensureRegistered(envelopes.schemas().value());
        }
        registrar.ensureRegistered(envelopes.schemas().key());
    }

    /** One committed INSERT in its own transaction; returns its commit LSN. */
    Lsn insert(long id, String owner, String balance, int partition) throws Exception {
        lsn += 0x100;
        long commit = lsn + 0x40;
        GenericRecord row = envelopes.row(Arrays.asList(Long.toString(id), owner, balance));
        GenericRecord key = envelopes.key(row);
        GenericRecord value = envelopes.value(Op.INSERT, null, row, List.of(),
                new ChangeSource(lsn, commit, 700 + id, 1_700_000_000_000_000L + id, 0, ACCOUNTS));
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic(), partition,
                SingleObjectCodec.encode(envelopes.schemas().key(), key),
                SingleObjectCodec.encode(envelopes.schemas().value(), value));
        List<RecordHeader> headers = new ArrayList<>(List.of(
                header(Headers.OP, "INSERT"), header(Headers.TABLE, ACCOUNTS.qualified()),
                header(Headers.LSN, Lsn.of(lsn).toString()), header(Headers.COMMIT_LSN, Lsn.of(commit).toString()),
                header(Headers.XID, Long.toString(700 + id)), header(Headers.SEQ, "0")));
        headers.forEach(rec.headers()::add);
        producer.send(rec).get(30, TimeUnit.SECONDS);
        return Lsn.of(commit);
    }

    private static RecordHeader header(String k, String v) {
        return new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        registrar.close();
    }
}
