package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.ConfluentFraming;
import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SchemaResolver;
import io.pgkb.schemas.SingleObjectCodec;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** {@code inspect} and the console formatter print registry-mode records (DESIGN §14) like single-object ones. */
class RecordPrinterRegistryModeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void printsChangesAndDdlRecordsFramedWithRegistryIds() throws Exception {
        ChangeEnvelopes env = new ChangeEnvelopes(new RelationDef(16384, TestRecords.ACCOUNTS, 'd', List.of(
                new ColumnDef("id", PgTypes.INT8, -1, "bigint", true),
                new ColumnDef("owner", PgTypes.TEXT, -1, "text", false))));
        // ids as the producer records them in _schemas: registry-<id> -> fingerprint
        SchemaResolver resolver = new MapSchemaResolver().addRegistryId(1, env.schemas().key())
                .addRegistryId(2, env.schemas().value()).addRegistryId(3, DdlEvent.SCHEMA);
        GenericRecord row = env.row(Arrays.asList("5", "eve"));
        byte[] key = ConfluentFraming.fromSingleObject(SingleObjectCodec.encode(env.schemas().key(), env.key(row)), 1);
        byte[] value = ConfluentFraming.fromSingleObject(SingleObjectCodec.encode(env.schemas().value(),
                env.value(Op.INSERT, null, row, List.of(), new ChangeSource(0x100, 0x140, 7, 1_700_000_000_000_000L, 0,
                        TestRecords.ACCOUNTS))), 2);
        byte[] ddl = ConfluentFraming.fromSingleObject(new DdlEvent(DdlEvent.FORMAT, 16384, "ALTER TABLE", false, false,
                List.of(), "{}", "ALTER TABLE accounts ADD c int", 0x200, 0x240, 8, 1_700_000_000_000_001L, 0,
                "public.accounts").encode(), 3);
        try (RecordPrinter printer = new RecordPrinter(resolver)) {
            JsonNode change = JSON.readTree(printer.toJson(new ConsumerRecord<>("pgkb.public.accounts", 0, 0, key, value)));
            assertThat(change.get("key").toString()).isEqualTo("{\"id\":5}");
            assertThat(change.at("/value/op").asText()).isEqualTo("INSERT");
            assertThat(change.at("/value/after/owner").asText()).isEqualTo("eve");
            JsonNode d = JSON.readTree(printer.toJson(new ConsumerRecord<>("pgkb.public.accounts", 0, 1, null, ddl)));
            assertThat(d.at("/value/op").asText()).isEqualTo("DDL");
            assertThat(d.at("/value/command_tag").asText()).isEqualTo("ALTER TABLE");
        }
    }
}
