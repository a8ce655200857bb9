package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeRecordDecoder;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchivedEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link ChangeDecoding} reads envelope fields by position (found once per writer schema); it must give exactly
 * what the by-name accessors of {@link ChangeRecord} give, for random records of two writer schemas.
 */
class ChangeDecodingTest {
    private static final TableId T = new TableId("public", "t");

    @Test
    void positionalDecodingEqualsChangeRecordAccessors() {
        ChangeEnvelopes v1 = new ChangeEnvelopes(new RelationDef(1, T, 'd', List.of(new ColumnDef("id", 20, -1, "bigint", true),
                new ColumnDef("n", 23, -1, "integer", false), new ColumnDef("s", 25, -1, "text", false))));
        // a later writer schema: a column dropped, two added, a name that needs quoting
        ChangeEnvelopes v2 = new ChangeEnvelopes(new RelationDef(1, T, 'd', List.of(new ColumnDef("id", 20, -1, "bigint", true),
                new ColumnDef("s", 25, -1, "text", false), new ColumnDef("When Done", 1114, -1, "timestamp without time zone", false),
                new ColumnDef("b", 16, -1, "boolean", false))));
        MapSchemaResolver resolver = new MapSchemaResolver(v1.schemas().value(), v2.schemas().value());
        ChangeDecoding decoding = new ChangeDecoding(resolver);
        ChangeRecordDecoder reference = new ChangeRecordDecoder(resolver);
        Random rnd = new Random(11);
        for (int i = 0; i < 2000; i++) {
            ChangeEnvelopes env = rnd.nextBoolean() ? v1 : v2;
            Op op = Op.values()[rnd.nextInt(4)];
            GenericRecord before = op == Op.DELETE || (op == Op.UPDATE && rnd.nextBoolean()) ? env.row(randomRow(env, rnd)) : null;
            GenericRecord after = op == Op.INSERT || op == Op.UPDATE ? env.row(randomRow(env, rnd)) : null;
            List<String> unchanged = new ArrayList<>();
            if (after != null && rnd.nextInt(3) == 0) {
                unchanged.add("s");
            }
            ChangeSource src = new ChangeSource(rnd.nextLong() & Long.MAX_VALUE, rnd.nextLong() & Long.MAX_VALUE, rnd.nextInt(1000),
                    rnd.nextLong(), rnd.nextInt(100), T);
            byte[] value = SingleObjectCodec.encode(env.schemas().value(), env.value(op, before, after, unchanged, src));

            Change c = decoding.decode(new ArchivedEntry(0, i, 0, null, value, src.commitLsn(), src.seq()), "t");
            ChangeRecord r = reference.decode(value);
            assertThat(c.op().name()).isEqualTo(r.op().name());
            assertThat(c.commitLsn()).isEqualTo(r.commitLsn());
            assertThat(c.seq()).isEqualTo(r.seq());
            assertThat(c.shape().names()).isEqualTo(r.columns());
            assertThat(asMap(c.shape(), c.before())).isEqualTo(op == Op.TRUNCATE ? null : r.beforeText());
            assertThat(asMap(c.shape(), c.after())).isEqualTo(op == Op.TRUNCATE ? null : r.afterText());
            for (int k = 0; k < c.shape().size(); k++) {
                assertThat(c.isUnchanged(k)).isEqualTo(r.unchanged().contains(c.shape().columns().get(k).name()));
            }
        }
    }

    private static List<String> randomRow(ChangeEnvelopes env, Random rnd) {
        List<String> row = new ArrayList<>();
        for (ColumnDef col : env.relation().columns()) {
            row.add(switch (col.typeName()) {
                case "bigint" -> Long.toString(rnd.nextLong());
                case "integer" -> rnd.nextInt(5) == 0 ? null : Integer.toString(rnd.nextInt());
                case "boolean" -> rnd.nextBoolean() ? "t" : "f";
                case "timestamp without time zone" -> rnd.nextBoolean() ? "infinity" : "2026-11-21 12:00:0" + rnd.nextInt(10);
                default -> rnd.nextInt(5) == 0 ? null : "x\t" + rnd.nextInt() + (rnd.nextBoolean() ? "" : "\\ é");
            });
        }
        return row;
    }

    private static Map<String, String> asMap(RowShape shape, String[] row) {
        if (row == null) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < row.length; i++) {
            m.put(shape.columns().get(i).name(), row[i]);
        }
        return m;
    }
}
