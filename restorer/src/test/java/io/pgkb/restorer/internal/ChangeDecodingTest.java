package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeRecord;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.RowSchemas;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchivedEntry;
import io.pgkb.testkit.RandomText;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link ChangeDecoding} reads the Avro datum straight into a {@link Change} ({@link EnvelopePlan}); it must give
 * exactly what the library path gives: Avro's GenericDatumReader ({@link SingleObjectCodec#decode}) into a
 * GenericRecord, read through {@link ChangeRecord} and the type mapping's converters. Random writer schemas over every
 * type family (several versions of a table and several tables, interleaved), random values with NULLs, unchanged TOAST
 * names (also names the schema does not have), every op, old rows of key columns only or whole; then damaged records,
 * which must fail clearly wherever the library path fails, naming the record.
 */
class ChangeDecodingTest {
    /** A column type as the replication stream describes it; the value comes from its Avro field schema. */
    private record Type(int oid, int typmod, String name) {
    }

    private static final List<Type> TYPES = List.of(new Type(PgTypes.BOOL, -1, "boolean"),
            new Type(PgTypes.INT2, -1, "smallint"), new Type(PgTypes.INT4, -1, "integer"), new Type(PgTypes.INT8, -1, "bigint"),
            new Type(PgTypes.OID, -1, "oid"), new Type(PgTypes.FLOAT4, -1, "real"), new Type(PgTypes.FLOAT8, -1, "double precision"),
            new Type(PgTypes.DATE, -1, "date"), new Type(PgTypes.TIME, -1, "time without time zone"),
            new Type(PgTypes.TIMESTAMP, -1, "timestamp without time zone"), new Type(PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone"),
            new Type(PgTypes.UUID, -1, "uuid"), new Type(PgTypes.BYTEA, -1, "bytea"),
            new Type(PgTypes.NUMERIC, (12 << 16 | 2) + 4, "numeric(12,2)"), new Type(PgTypes.NUMERIC, (40 << 16) + 4, "numeric(40,0)"),
            new Type(PgTypes.NUMERIC, -1, "numeric"), new Type(PgTypes.TEXT, -1, "text"), new Type(PgTypes.VARCHAR, 14, "character varying(10)"),
            new Type(PgTypes.BPCHAR, 9, "character(5)"), new Type(PgTypes.NAME, -1, "name"), new Type(3802, -1, "jsonb"),
            new Type(1007, -1, "integer[]"), new Type(1186, -1, "interval"), new Type(16_390, -1, "public.mood"));
    private static final String TABLE = "public.t";
    private static final int PARTITION = 3;

    private final SplittableRandom r = new SplittableRandom(20261121);
    private final List<ChangeEnvelopes> versions = new ArrayList<>();
    private final MapSchemaResolver resolver = new MapSchemaResolver();

    ChangeDecodingTest() {
        for (int t = 0; t < 12; t++) {
            TableId table = new TableId(pick("public", "s.p", "Ünï"), pick("t", "Weird \"Name\"", "表") + t);
            List<ColumnDef> columns = new ArrayList<>();
            for (int v = 0; v < 4; v++) { // each version adds, drops or retypes columns of the one before
                if (!columns.isEmpty() && r.nextBoolean()) {
                    columns.remove(r.nextInt(columns.size()));
                }
                for (int n = r.nextInt(columns.isEmpty() ? 1 : 0, 5); n > 0; n--) {
                    Type type = TYPES.get(r.nextInt(TYPES.size()));
                    columns.add(r.nextInt(columns.size() + 1), new ColumnDef(pick("id", "a", "Weird \"Col\"", "größe", "x.y")
                            + columns.size() + "_" + v, type.oid(), type.typmod(), type.name(), r.nextInt(4) == 0));
                }
                ChangeEnvelopes env = new ChangeEnvelopes(new RelationDef(100 + t, table, pick('d', 'f'), columns));
                versions.add(env);
                resolver.add(env.schemas().value());
            }
        }
    }

    @Test
    void directDecodingEqualsTheLibraryPathForRandomSchemasAndChanges() {
        ChangeDecoding decoding = new ChangeDecoding(resolver);
        for (int i = 0; i < 20_000; i++) {
            byte[] value = randomValue(versions.get(r.nextInt(versions.size())));
            Change c = decoding.decode(entry(i, value), TABLE);
            assertEquivalent(c, value, "record " + i);
        }
    }

    @Test
    void rowsKeptUndecodedHoldTheirKeysAndDecodeToTheLibraryPathsValues() {
        ChangeDecoding plain = new ChangeDecoding(resolver);
        int lazy = 0;
        for (int i = 0; i < 20_000; i++) {
            ChangeEnvelopes env = versions.get(r.nextInt(versions.size()));
            List<String> key = env.relation().columns().stream().filter(ColumnDef::key).map(ColumnDef::name).toList();
            ChangeDecoding decoding = plain.withLazyRows(key);
            byte[] value = randomValue(env);
            Change c = decoding.decode(entry(i, value), TABLE);
            assertEquivalent(c, value, "record " + i); // after() decodes a lazy row whole
            if (c.lazyAfter() == null) {
                assertThat(key.isEmpty() || c.op() == Change.Op.DELETE || c.op() == Change.Op.TRUNCATE || c.after() == null
                        || c.hasUnchanged() || !c.shape().names().containsAll(key)).as("record %s kept whole", i).isTrue();
                continue;
            }
            lazy++;
            assertThat(c.op()).isIn(Change.Op.INSERT, Change.Op.UPDATE);
            assertThat(c.hasUnchanged()).as("record %s: a row with unchanged columns is decoded whole", i).isFalse();
            String[] whole = c.after();
            for (int k = 0; k < whole.length; k++) {
                boolean isKey = key.contains(c.shape().columns().get(k).name());
                assertThat(c.afterKeys()[k]).as("record %s column %s", i, k).isEqualTo(isKey ? whole[k] : null);
            }
            assertThat(c.heapBytes()).isEqualTo(64L + value.length + KeyFold.heapBytes(c.before()));
        }
        assertThat(lazy).isGreaterThan(2_000);
    }

    @Test
    void aValueNoOneReadsIsNotConvertedButFailsNamingTheRecordWhenRead() {
        BadAmount bad = new BadAmount();
        ChangeDecoding decoding = new ChangeDecoding(new MapSchemaResolver(bad.schema())).withLazyRows(List.of("id"));
        Change c = decoding.decode(entry(42, bad.value()), "public.m");
        assertThat(c.afterKeys()).containsExactly("7", null);
        assertThatThrownBy(c::after).isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageStartingWith(bad.failure());
    }

    @Test
    void damagedRecordsFailWhereTheLibraryPathFailsAndNameTheRecord() {
        ChangeDecoding decoding = new ChangeDecoding(resolver);
        int failed = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] value = randomValue(versions.get(r.nextInt(versions.size())));
            byte[] bad = r.nextBoolean() ? Arrays.copyOf(value, r.nextInt(10, value.length))
                    : flip(value, r.nextInt(10, value.length));
            Throwable libraryFailure = null;
            try {
                reference(bad);
            } catch (Throwable t) {
                libraryFailure = t;
            }
            if (libraryFailure == null) {
                assertEquivalent(decoding.decode(entry(i, bad), TABLE), bad, "damaged record " + i);
                continue;
            }
            failed++;
            int offset = i;
            assertThatThrownBy(() -> decoding.decode(entry(offset, bad), TABLE)).as("library failed with %s", libraryFailure)
                    .isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                    .hasMessageStartingWith("undecodable change record table " + TABLE + " partition " + PARTITION + " offset "
                            + offset + ": corrupt record of schema " + SingleObjectCodec.hex(SingleObjectCodec.fingerprintOf(bad)) + ": ");
            // a failure leaves nothing behind: the next record decodes
            assertEquivalent(decoding.decode(entry(i, value), TABLE), value, "record after damaged " + i);
        }
        assertThat(failed).isGreaterThan(800);
    }

    @Test
    void aValueItsConverterCannotReadFailsNamingRecordAndColumn() {
        BadAmount bad = new BadAmount();
        ChangeDecoding decoding = new ChangeDecoding(new MapSchemaResolver(bad.schema()));
        assertThatThrownBy(() -> decoding.decode(entry(42, bad.value()), "public.m"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageStartingWith(bad.failure());
    }

    /** An INSERT into public.m (id bigint key, amount numeric(12,2)) whose amount no converter can read. */
    private final class BadAmount {
        private final ChangeEnvelopes env = new ChangeEnvelopes(new RelationDef(1, new TableId("public", "m"), 'd', List.of(
                new ColumnDef("id", PgTypes.INT8, -1, "bigint", true), new ColumnDef("amount", PgTypes.NUMERIC, (12 << 16 | 2) + 4, "numeric(12,2)", false))));

        Schema schema() {
            return env.schemas().value();
        }

        byte[] value() {
            GenericRecord row = new GenericData.Record(env.schemas().row());
            row.put(0, 7L);
            row.put(1, ByteBuffer.allocate(0)); // no unscaled bytes: not a number
            return SingleObjectCodec.encode(schema(), env.value(Op.INSERT, null, row, List.of(), source()));
        }

        /** How decoding its amount fails, read as partition 3, offset 42. */
        String failure() {
            return "undecodable change record table public.m partition 3 offset 42: corrupt record of schema "
                    + SingleObjectCodec.fingerprint(schema()) + ": column amount (numeric(12,2)): ";
        }
    }

    @Test
    void recordsThatAreNoChangeOfAKnownSchemaAreRefusedNamingTheRecord() {
        ChangeDecoding decoding = new ChangeDecoding(resolver);
        byte[] value = randomValue(versions.get(0));
        byte[] unknown = value.clone();
        unknown[5] ^= 1; // another fingerprint
        assertThatThrownBy(() -> decoding.decode(entry(9, unknown), TABLE)).isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessage("writer schema " + SingleObjectCodec.hex(SingleObjectCodec.fingerprintOf(unknown)) + " of table "
                        + TABLE + " partition 3 offset 9 is not in the archive");
        assertThatThrownBy(() -> decoding.decode(entry(10, null), TABLE)).isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessage("undecodable change record table " + TABLE + " partition 3 offset 10: record has no value");
        byte[] noMarker = value.clone();
        noMarker[0] = 0x42;
        assertThatThrownBy(() -> decoding.decode(entry(11, noMarker), TABLE)).isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageStartingWith("undecodable change record table " + TABLE + " partition 3 offset 11: not Avro single-object");
        byte[] registryFramed = value.clone();
        registryFramed[0] = 0; // registry mode's framing (DESIGN §14), an id the archive does not map
        assertThatThrownBy(() -> decoding.decode(entry(11, registryFramed), TABLE)).isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageStartingWith("undecodable change record table " + TABLE + " partition 3 offset 11: schema registry id ");
        // the row's union index (after op and a null old row) says branch 3 of 2
        ChangeEnvelopes env = versions.get(0);
        byte[] insert = SingleObjectCodec.encode(env.schemas().value(),
                env.value(Op.INSERT, null, row(env, false), List.of(), source()));
        insert[12] = 6;
        assertThatThrownBy(() -> decoding.decode(entry(12, insert), TABLE)).isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageEndingWith(": union index 3 of a row");
        // a key record is not a change envelope
        Schema key = versions.stream().map(e -> e.schemas().key()).filter(k -> k != null).findFirst().orElseThrow();
        resolver.add(key);
        GenericRecord k = new GenericData.Record(key);
        byte[] keyBytes = SingleObjectCodec.encode(key, k);
        assertThatThrownBy(() -> decoding.decode(entry(13, keyBytes), TABLE)).isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageStartingWith("undecodable change record table " + TABLE + " partition 3 offset 13: not a pgkb change envelope");
    }

    // ---- the library path, as a reference

    private record Reference(ChangeRecord record, List<String> before, List<String> after) {
    }

    private Reference reference(byte[] value) {
        ChangeRecord rec = new ChangeRecord(SingleObjectCodec.decode(value, resolver));
        boolean truncate = rec.op() == Op.TRUNCATE;
        rec.seq();
        rec.commitLsn();
        rec.unchanged();
        return new Reference(rec, truncate || rec.beforeText() == null ? null : new ArrayList<>(rec.beforeText().values()),
                truncate || rec.afterText() == null ? null : new ArrayList<>(rec.afterText().values()));
    }

    private void assertEquivalent(Change c, byte[] value, String what) {
        Reference ref = reference(value);
        ChangeRecord rec = ref.record();
        assertThat(c.op().name()).as(what).isEqualTo(rec.op().name());
        assertThat(c.commitLsn()).as(what).isEqualTo(rec.commitLsn());
        assertThat(c.seq()).as(what).isEqualTo(rec.seq());
        assertThat(c.shape().names()).as(what).isEqualTo(rec.columns());
        for (int k = 0; k < c.shape().size(); k++) {
            assertThat(c.shape().columns().get(k).type()).as(what)
                    .isEqualTo(rec.rowSchema().getFields().get(k).getObjectProp(RowSchemas.PROP_TYPE));
        }
        assertThat(c.before() == null ? null : Arrays.asList(c.before())).as("%s before", what).isEqualTo(ref.before());
        assertThat(c.after() == null ? null : Arrays.asList(c.after())).as("%s after", what).isEqualTo(ref.after());
        Set<String> unchanged = rec.unchanged();
        assertThat(c.unchanged() == null).as(what).isEqualTo(((List<?>) rec.envelope().get("unchanged")).isEmpty());
        for (int k = 0; k < c.shape().size(); k++) {
            assertThat(c.isUnchanged(k)).as("%s unchanged %s", what, k).isEqualTo(unchanged.contains(c.shape().columns().get(k).name()));
        }
    }

    // ---- random records, written by the library (ChangeEnvelopes + SingleObjectCodec)

    private byte[] randomValue(ChangeEnvelopes env) {
        Op op = Op.values()[r.nextInt(4)];
        boolean full = env.relation().replicaIdentity() == 'f';
        GenericRecord before = switch (op) {
            case DELETE -> row(env, !full);
            case UPDATE -> r.nextBoolean() ? null : row(env, !full && r.nextBoolean()); // with a key change, or FULL
            default -> r.nextInt(20) == 0 ? row(env, false) : null; // TRUNCATE: the reader must skip whatever is there
        };
        GenericRecord after = op == Op.INSERT || op == Op.UPDATE || r.nextInt(20) == 0 ? row(env, false) : null;
        List<String> unchanged = new ArrayList<>();
        if (after != null && r.nextInt(3) == 0) {
            List<ColumnDef> columns = env.relation().columns();
            for (int i = 0; i < columns.size(); i++) {
                if (r.nextInt(3) == 0) {
                    unchanged.add(columns.get(i).name());
                    after.put(i, null); // not sent: the producer writes NULL
                }
            }
            if (r.nextInt(4) == 0) {
                unchanged.add("not a column");
            }
        }
        return SingleObjectCodec.encode(env.schemas().value(), env.value(op, before, after, unchanged, source()));
    }

    private ChangeSource source() {
        return new ChangeSource(r.nextLong(), r.nextLong() >>> r.nextInt(64), r.nextLong(), r.nextLong(),
                r.nextLong() >>> r.nextInt(64), new TableId("public", pick("t", "表")));
    }

    /** A row of random values of each field's Avro schema; {@code keyOnly}: non-key columns NULL (an old key). */
    private GenericRecord row(ChangeEnvelopes env, boolean keyOnly) {
        GenericRecord row = new GenericData.Record(env.schemas().row());
        List<Schema.Field> fields = env.schemas().row().getFields();
        for (int i = 0; i < fields.size(); i++) {
            if ((keyOnly && !env.relation().columns().get(i).key()) || r.nextInt(8) == 0) {
                continue;
            }
            row.put(i, value(fields.get(i).schema()));
        }
        return row;
    }

    /** A random value of a field schema {@code ["null", T]} or {@code ["null", decimal, "string"]}. */
    private Object value(Schema field) {
        List<Schema> branches = field.getTypes();
        Schema s = branches.get(branches.size() == 3 && r.nextInt(6) == 0 ? 2 : 1);
        String logical = s.getLogicalType() == null ? "" : s.getLogicalType().getName();
        return switch (s.getType()) {
            case BOOLEAN -> r.nextBoolean();
            case INT -> logical.equals("date") ? pick(Integer.MAX_VALUE, Integer.MIN_VALUE, r.nextInt(-1_000_000, 1_000_000))
                    : pick(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, r.nextInt(), r.nextInt(-300, 300));
            case LONG -> switch (logical) {
                case "time-micros" -> r.nextLong(0, 86_400_000_000L);
                case "timestamp-micros", "local-timestamp-micros" -> pick(Long.MAX_VALUE, Long.MIN_VALUE,
                        r.nextLong(-60_000_000_000_000_000L, 200_000_000_000_000_000L), r.nextLong(0, 2_000_000_000_000_000L));
                default -> pick(Long.MIN_VALUE, Long.MAX_VALUE, 0L, r.nextLong(), r.nextLong(-300, 300));
            };
            case FLOAT -> pick(Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.intBitsToFloat(r.nextInt()));
            case DOUBLE -> pick(Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.longBitsToDouble(r.nextLong()), r.nextDouble() * 1e6);
            case BYTES -> s.getLogicalType() instanceof LogicalTypes.Decimal d ? decimal(d.getPrecision()) : ByteBuffer.wrap(bytes());
            case STRING -> logical.equals("uuid") ? new UUID(r.nextLong(), r.nextLong()).toString()
                    : branches.size() == 3 ? pick("NaN", "Infinity", "-Infinity") : text();
            default -> throw new IllegalStateException("not in the type mapping: " + s);
        };
    }

    private ByteBuffer decimal(int precision) {
        BigInteger unscaled = new BigInteger(r.nextInt(1, (int) (precision * 3.32)), new Random(r.nextLong()));
        return ByteBuffer.wrap((r.nextBoolean() ? unscaled.negate() : unscaled).toByteArray());
    }

    private byte[] bytes() {
        byte[] b = new byte[pick(0, 1, r.nextInt(100), r.nextInt(3000))];
        r.nextBytes(b);
        return b;
    }

    /** Sometimes longer than the decoder's scratch buffer. */
    private String text() {
        return RandomText.of(r, 3000);
    }

    private byte[] flip(byte[] value, int at) {
        byte[] out = value.clone();
        out[at] ^= (byte) r.nextInt(1, 256);
        return out;
    }

    private static ArchivedEntry entry(long offset, byte[] value) {
        return new ArchivedEntry(PARTITION, offset, 0, null, value, 0, 0);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[r.nextInt(options.length)];
    }
}
