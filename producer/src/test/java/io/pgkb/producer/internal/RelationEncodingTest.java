package io.pgkb.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import io.pgkb.schemas.ValueConverter;
import io.pgkb.testkit.RandomText;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The direct encoder ({@link RelationEncoding} behind {@link AvroRecordEncoder}) against the library path it
 * replaced: {@link ChangeEnvelopes} builds GenericRecords and {@link SingleObjectCodec} encodes them with Avro's
 * GenericDatumWriter. Random relations over every type family of the mapping, random rows (NULLs, unchanged TOAST,
 * long and non-ASCII text), every op; the key and value bytes must be identical, and so must the errors.
 */
class RelationEncodingTest {
    /** A type family: how the stream describes the column, and a random Avro value of it for toPgText. */
    private record Family(int oid, int typmod, String typeName, Function<SplittableRandom, Object> value) {
    }

    private static final List<Family> FAMILIES = List.of(
            new Family(PgTypes.BOOL, -1, "boolean", SplittableRandom::nextBoolean),
            new Family(PgTypes.INT2, -1, "smallint", r -> r.nextInt(-32768, 32768)),
            new Family(PgTypes.INT4, -1, "integer", r -> edgeInt(r)),
            new Family(PgTypes.INT8, -1, "bigint", r -> edgeLong(r)),
            new Family(PgTypes.OID, -1, "oid", r -> r.nextLong(0, 1L << 32)),
            new Family(PgTypes.FLOAT4, -1, "real", r -> pick(r, Float.NaN, Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.intBitsToFloat(r.nextInt()))),
            new Family(PgTypes.FLOAT8, -1, "double precision", r -> pick(r, Double.NaN, Double.NEGATIVE_INFINITY,
                    -0.0, Double.MIN_VALUE, Double.longBitsToDouble(r.nextLong()), r.nextDouble() * 1e6)),
            new Family(PgTypes.DATE, -1, "date", r -> pick(r, Integer.MAX_VALUE, Integer.MIN_VALUE,
                    r.nextInt(-1_000_000, 1_000_000))),
            new Family(PgTypes.TIME, -1, "time without time zone", r -> r.nextLong(0, 86_400_000_000L)),
            new Family(PgTypes.TIMESTAMP, -1, "timestamp without time zone", r -> timestamp(r)),
            new Family(PgTypes.TIMESTAMPTZ, -1, "timestamp with time zone", r -> timestamp(r)),
            new Family(PgTypes.UUID, -1, "uuid", r -> new UUID(r.nextLong(), r.nextLong()).toString()),
            new Family(PgTypes.BYTEA, -1, "bytea", r -> ByteBuffer.wrap(bytes(r))),
            new Family(PgTypes.NUMERIC, typmod(12, 2), "numeric(12,2)", r -> decimal(r, 12, 2)),
            new Family(PgTypes.NUMERIC, typmod(38, 0), "numeric(38,0)", r -> decimal(r, 38, 0)),
            new Family(PgTypes.NUMERIC, typmod(60, 30), "numeric(60,30)", r -> decimal(r, 60, 30)),
            new Family(PgTypes.NUMERIC, -1, "numeric", r -> pick(r, "NaN", "-Infinity", "123.4500000000000000000001",
                    Long.toString(r.nextLong()))),
            new Family(PgTypes.TEXT, -1, "text", RelationEncodingTest::text),
            new Family(PgTypes.VARCHAR, 14, "character varying(10)", RelationEncodingTest::text),
            new Family(PgTypes.BPCHAR, 9, "character(5)", RelationEncodingTest::text),
            new Family(PgTypes.NAME, -1, "name", RelationEncodingTest::text),
            new Family(3802, -1, "jsonb", r -> "{\"a\": " + r.nextInt() + "}"),
            new Family(1007, -1, "integer[]", r -> "{" + r.nextInt() + "," + r.nextInt() + "}"),
            new Family(1186, -1, "interval", r -> r.nextInt(1000) + " days 01:02:03"),
            new Family(16_390, -1, "public.mood", r -> pick(r, "happy", "sad", "")));

    @Test
    void bytesAreThoseOfGenericDatumWriterForRandomRelationsAndRows() {
        SplittableRandom r = new SplittableRandom(20261121);
        int compared = 0;
        for (int rel = 0; rel < 300; rel++) {
            Fixture f = fixture(r, 1000 + rel);
            for (int i = 0; i < 60; i++) {
                Change c = change(r, f);
                RecordEncoder.Encoded direct = f.encoder.encode(c);
                RecordEncoder.Encoded generic = generic(f.envelopes, c);
                assertThat(direct.value()).as("value of %s in %s", c, f.envelopes.relation()).isEqualTo(generic.value());
                assertThat(direct.key()).as("key of %s in %s", c, f.envelopes.relation()).isEqualTo(generic.key());
                compared++;
            }
        }
        assertThat(compared).isEqualTo(18_000);
    }

    @Test
    void registeredSchemasAreTheEnvelopesSchemas() {
        Fixture f = fixture(new SplittableRandom(3), 77);
        assertThat(f.registered).contains(f.envelopes.schemas().value());
        if (f.envelopes.schemas().key() != null) {
            assertThat(f.registered).contains(f.envelopes.schemas().key());
        }
    }

    @Test
    void aValueThatDoesNotParseFailsWithTheGenericPathsMessage() {
        Fixture f = idAnd("t", PgTypes.INT4, "integer");
        RelationInfo info = f.info();
        Txn txn = new Txn(7, 0x100, 5);
        for (TupleData bad : List.of(tuple("1", "x"), tuple("1"), tuple("1", "2", "3"),
                new TupleData(List.of(TupleData.Value.text("1"), new TupleData.Value(TupleData.Kind.BINARY, null, new byte[] {1}))))) {
            Change c = new Change(Change.Op.INSERT, info, null, bad, List.of(), 0x90, txn, 3);
            String expected = expectFailure(() -> generic(f.envelopes, c));
            assertThatThrownBy(() -> f.encoder.encode(c)).isInstanceOf(PgkbException.FatalException.class)
                    .hasMessage("cannot encode change of public.t at lsn 0/90 (commit_lsn 0/100, seq 3): " + expected);
        }
        // the encoder is usable again after a failure (no half-written record left in its buffer)
        Change ok = new Change(Change.Op.INSERT, info, null, tuple("1", "2"), List.of(), 0x90, txn, 4);
        assertThat(f.encoder.encode(ok).value()).isEqualTo(generic(f.envelopes, ok).value());
    }

    @Test
    void aRecordLargerThanTheKeptBufferIsEncodedAndTheNextOneToo() {
        Fixture f = idAnd("big", PgTypes.TEXT, "text");
        RelationInfo info = f.info();
        Txn txn = new Txn(7, 0x100, 5);
        String huge = "é".repeat(RelationEncoding.Output.KEEP_BYTES); // 2 MiB of UTF-8
        for (String text : List.of("small", huge, "small again", huge, huge, "")) {
            Change c = new Change(Change.Op.INSERT, info, null, tuple("42", text), List.of(), 0x90, txn, 1);
            RecordEncoder.Encoded direct = f.encoder.encode(c);
            RecordEncoder.Encoded generic = generic(f.envelopes, c);
            assertThat(direct.value()).isEqualTo(generic.value());
            assertThat(direct.key()).isEqualTo(generic.key());
        }
    }

    // ---- the library path the encoder replaced (ChangeEnvelopes + SingleObjectCodec), as a reference

    static RecordEncoder.Encoded generic(ChangeEnvelopes env, Change c) {
        GenericRecord before = row(env, c.before());
        GenericRecord after = row(env, c.after());
        ChangeSource src = new ChangeSource(c.lsn(), c.txn().commitLsn(), c.txn().xid(), c.txn().commitTimeMicros(),
                c.seq(), c.relation().table());
        GenericRecord value = env.value(Op.valueOf(c.op().name()), before, after, c.unchanged(), src);
        GenericRecord key = c.op() == Change.Op.TRUNCATE ? null : env.key(after != null ? after : before);
        return new RecordEncoder.Encoded(key == null ? null : SingleObjectCodec.encode(env.schemas().key(), key),
                SingleObjectCodec.encode(env.schemas().value(), value));
    }

    private static GenericRecord row(ChangeEnvelopes env, TupleData t) {
        if (t == null) {
            return null;
        }
        List<String> texts = new ArrayList<>(t.size());
        for (int i = 0; i < t.size(); i++) {
            if (t.kind(i) == TupleData.Kind.BINARY) {
                throw new IllegalArgumentException("column " + i + " arrived in binary format, which pgkb never requests");
            }
            texts.add(t.text(i));
        }
        return env.row(texts);
    }

    private static String expectFailure(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("the generic path accepted it");
    }

    // ---- random relations and changes

    private record Fixture(RelationInfo info, List<Family> families, AvroRecordEncoder encoder, ChangeEnvelopes envelopes,
                           List<Schema> registered) {
    }

    private static Fixture fixture(SplittableRandom r, int relationId) {
        int n = r.nextInt(1, 12);
        List<PgOutputMessage.Column> cols = new ArrayList<>();
        List<Family> fams = new ArrayList<>();
        List<Integer> key = new ArrayList<>();
        Map<String, String> typeNames = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Family fam = FAMILIES.get(r.nextInt(FAMILIES.size()));
            fams.add(fam);
            // the same OID can carry several typmods: the type name is per (oid, typmod) in the real lookup
            typeNames.put(fam.oid() + "/" + fam.typmod(), fam.typeName());
            boolean isKey = r.nextInt(4) == 0;
            if (isKey) {
                key.add(i);
            }
            cols.add(new PgOutputMessage.Column(isKey, pick(r, "id", "a", "Weird \"Col\"", "größe", "x.y", "c" + i) + i,
                    fam.oid(), fam.typmod()));
        }
        TableId table = new TableId(pick(r, "public", "acc", "s.p", "Ünï"), pick(r, "t", "Weird \"Name\"", "a b", "表"));
        RelationInfo info = new RelationInfo(relationId, table, pick(r, 'd', 'f', 'i'), cols, key);
        List<Schema> registered = new ArrayList<>();
        AvroRecordEncoder enc = new AvroRecordEncoder((oid, typmod) -> typeNames.get(oid + "/" + typmod), s -> {
            registered.add(s);
            return SingleObjectCodec.fingerprint(s);
        });
        enc.relation(info);
        List<ColumnDef> defs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            defs.add(new ColumnDef(cols.get(i).name(), fams.get(i).oid(), fams.get(i).typmod(), fams.get(i).typeName(),
                    key.contains(i)));
        }
        ChangeEnvelopes env = new ChangeEnvelopes(new RelationDef(relationId, table, info.replicaIdentity(), defs));
        return new Fixture(info, fams, enc, env, registered);
    }

    private static Fixture fixture(RelationInfo info, Map<Integer, String> typeNames) {
        List<Schema> registered = new ArrayList<>();
        AvroRecordEncoder enc = new AvroRecordEncoder((oid, typmod) -> typeNames.get(oid), s -> {
            registered.add(s);
            return "";
        });
        enc.relation(info);
        List<ColumnDef> defs = new ArrayList<>();
        for (int i = 0; i < info.columns().size(); i++) {
            PgOutputMessage.Column c = info.columns().get(i);
            defs.add(new ColumnDef(c.name(), c.typeOid(), c.typmod(), typeNames.get(c.typeOid()), info.keyColumns().contains(i)));
        }
        return new Fixture(info, List.of(), enc, new ChangeEnvelopes(new RelationDef(info.relationId(), info.table(),
                info.replicaIdentity(), defs)), registered);
    }

    /** public.<table> (id bigint primary key, c <type>) */
    private static Fixture idAnd(String table, int oid, String typeName) {
        RelationInfo info = new RelationInfo(42, new TableId("public", table), 'd', List.of(
                new PgOutputMessage.Column(true, "id", PgTypes.INT8, -1), new PgOutputMessage.Column(false, "c", oid, -1)),
                List.of(0));
        return fixture(info, Map.of(PgTypes.INT8, "bigint", oid, typeName));
    }

    private static Change change(SplittableRandom r, Fixture f) {
        Txn txn = new Txn(r.nextLong() >>> r.nextInt(64), r.nextLong(), r.nextLong());
        long lsn = r.nextLong();
        long seq = r.nextLong() >>> r.nextInt(64);
        Change.Op op = Change.Op.values()[r.nextInt(4)];
        return switch (op) {
            case INSERT -> withUnchanged(op, f, null, tuple(r, f, false, true), lsn, txn, seq);
            case UPDATE -> withUnchanged(op, f, r.nextBoolean() ? null : tuple(r, f, r.nextBoolean(), false),
                    tuple(r, f, false, true), lsn, txn, seq);
            case DELETE -> new Change(op, f.info, tuple(r, f, r.nextBoolean(), false), null, List.of(), lsn, txn, seq);
            case TRUNCATE -> new Change(op, f.info, null, null, List.of(), lsn, txn, seq);
        };
    }

    private static Change withUnchanged(Change.Op op, Fixture f, TupleData before, TupleData after, long lsn, Txn txn,
                                        long seq) {
        List<String> unchanged = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            if (after.kind(i) == TupleData.Kind.UNCHANGED_TOAST) {
                unchanged.add(f.info.columns().get(i).name());
            }
        }
        return new Change(op, f.info, before, after, unchanged, lsn, txn, seq);
    }

    /** A row; {@code keyOnly}: an old key tuple (non-key columns NULL); {@code toast}: may hold unchanged TOAST. */
    private static TupleData tuple(SplittableRandom r, Fixture f, boolean keyOnly, boolean toast) {
        List<TupleData.Value> values = new ArrayList<>();
        for (int i = 0; i < f.families.size(); i++) {
            int dice = r.nextInt(10);
            if ((keyOnly && !f.info.keyColumns().contains(i)) || dice == 0) {
                values.add(TupleData.Value.NULL);
            } else if (toast && dice == 1) {
                values.add(TupleData.Value.UNCHANGED);
            } else {
                Family fam = f.families.get(i);
                ValueConverter conv = PgTypes.converter(new ColumnDef("c", fam.oid(), fam.typmod(), fam.typeName(), false));
                Object v = fam.value().apply(r);
                values.add(TupleData.Value.text(v instanceof String s && conv.toAvro(s) == s ? s : conv.toPgText(v)));
            }
        }
        return new TupleData(values);
    }

    private static TupleData tuple(String... texts) {
        List<TupleData.Value> values = new ArrayList<>();
        for (String t : texts) {
            values.add(TupleData.Value.text(t));
        }
        return new TupleData(values);
    }

    private static int typmod(int precision, int scale) {
        return ((precision << 16) | (scale & 0x7FF)) + 4;
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... options) {
        return options[r.nextInt(options.length)];
    }

    private static int edgeInt(SplittableRandom r) {
        return pick(r, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, r.nextInt(), r.nextInt(-200, 200));
    }

    private static long edgeLong(SplittableRandom r) {
        return pick(r, Long.MIN_VALUE, Long.MAX_VALUE, 0L, r.nextLong(), r.nextLong(-200, 200), r.nextLong() >>> 40);
    }

    private static long timestamp(SplittableRandom r) {
        return pick(r, Long.MAX_VALUE, Long.MIN_VALUE, r.nextLong(-60_000_000_000_000_000L, 200_000_000_000_000_000L),
                r.nextLong(0, 2_000_000_000_000_000L));
    }

    private static byte[] bytes(SplittableRandom r) {
        byte[] b = new byte[pick(r, 0, 1, r.nextInt(100), r.nextInt(5000))];
        r.nextBytes(b);
        return b;
    }

    /** A decimal of the scale, the string branch's NaN/±Infinity now and then. */
    private static Object decimal(SplittableRandom r, int precision, int scale) {
        if (r.nextInt(8) == 0) {
            return pick(r, "NaN", "Infinity", "-Infinity");
        }
        BigInteger unscaled = new BigInteger(r.nextInt(1, (int) (precision * 3.32)), new Random(r.nextLong()));
        return ByteBuffer.wrap((r.nextBoolean() ? unscaled.negate() : unscaled).toByteArray());
    }

    /** Sometimes longer than the encoder's 2 KiB buffer. */
    private static String text(SplittableRandom r) {
        return RandomText.of(r, 5000);
    }
}
