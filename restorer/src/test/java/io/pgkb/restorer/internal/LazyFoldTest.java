package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.ChangeEnvelopes;
import io.pgkb.schemas.ChangeSource;
import io.pgkb.schemas.ColumnDef;
import io.pgkb.schemas.MapSchemaResolver;
import io.pgkb.schemas.Op;
import io.pgkb.schemas.PgTypes;
import io.pgkb.schemas.RelationDef;
import io.pgkb.schemas.SingleObjectCodec;
import io.pgkb.schemas.TableId;
import io.pgkb.store.catalog.ArchivedEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * A fold of changes whose new rows were kept undecoded ({@link LazyRow}) must hold exactly what the fold of the same
 * records decoded whole holds: the same keys in the same order, kinds, values, sent columns and sources. Random
 * streams of real encoded records: inserts, full updates, updates with an unchanged TOAST column (which patch a
 * kept row), deletes, and key changes both ways the producer sends them (DELETE + INSERT with the TOAST column
 * unchanged, one UPDATE with the old key).
 */
class LazyFoldTest {
    private static final ChangeEnvelopes ENV = new ChangeEnvelopes(new RelationDef(1, new TableId("public", "t"), 'd', List.of(
            new ColumnDef("id", PgTypes.INT8, -1, "bigint", true), new ColumnDef("a", PgTypes.TEXT, -1, "text", false),
            new ColumnDef("n", PgTypes.INT4, -1, "integer", false), new ColumnDef("toast", PgTypes.TEXT, -1, "text", false))));
    private static final int[] KEY = {0};
    private final SplittableRandom r = new SplittableRandom(20261122);
    private long lsn = 1000;
    private long seq;

    @Test
    void foldOfRowsKeptUndecodedEqualsTheFoldOfWholeRows() {
        ChangeDecoding whole = new ChangeDecoding(new MapSchemaResolver(ENV.schemas().value()));
        ChangeDecoding lazy = whole.withLazyRows(List.of("id"));
        int lazyChanges = 0;
        for (int stream = 0; stream < 200; stream++) {
            KeyFold expected = new KeyFold(KEY, 4);
            KeyFold actual = new KeyFold(KEY, 4);
            long offset = 0;
            for (byte[] value : stream(r.nextInt(1, 400))) {
                ArchivedEntry e = new ArchivedEntry(0, offset++, 0, null, value, 0, 0);
                expected.add(whole.decode(e, "public.t"));
                Change c = lazy.decode(e, "public.t");
                lazyChanges += c.lazyAfter() != null ? 1 : 0;
                actual.add(c);
                assertThat(actual.size()).isEqualTo(expected.size());
            }
            assertSameEntries(actual, expected, "stream " + stream);
        }
        assertThat(lazyChanges).isGreaterThan(10_000);
    }

    private static void assertSameEntries(KeyFold actual, KeyFold expected, String what) {
        Iterator<Map.Entry<RowKey, KeyFold.Entry>> a = actual.entries().iterator();
        for (Map.Entry<RowKey, KeyFold.Entry> x : expected.entries()) {
            Map.Entry<RowKey, KeyFold.Entry> y = a.next();
            KeyFold.Entry want = x.getValue();
            KeyFold.Entry got = y.getValue();
            assertThat(y.getKey()).as(what).isEqualTo(x.getKey());
            assertThat(got.kind()).as("%s key %s", what, x.getKey()).isEqualTo(want.kind());
            assertThat(got.values()).as("%s key %s", what, x.getKey()).isEqualTo(want.values());
            for (int i = 0; i < 4; i++) {
                assertThat(got.sent(i)).as("%s key %s column %s", what, x.getKey(), i).isEqualTo(want.sent(i));
            }
            assertThat(got.source()).as("%s key %s", what, x.getKey()).isEqualTo(want.source());
        }
        assertThat(a.hasNext()).as(what).isFalse();
    }

    /** A consistent random change stream over keys 1..30 (every change is valid for the rows present). */
    private List<byte[]> stream(int n) {
        List<byte[]> out = new ArrayList<>();
        Set<Long> present = new LinkedHashSet<>();
        while (out.size() < n) {
            lsn += r.nextInt(1, 3);
            long id = r.nextLong(1, 31);
            if (!present.contains(id)) {
                present.add(id);
                out.add(value(Op.INSERT, null, row(id, false), false));
                continue;
            }
            long to = r.nextLong(1, 31);
            switch (r.nextInt(5)) {
                case 0 -> out.add(value(Op.UPDATE, null, row(id, false), false));
                case 1 -> out.add(value(Op.UPDATE, null, row(id, true), true));
                case 2 -> {
                    present.remove(id);
                    out.add(value(Op.DELETE, key(id), null, false));
                }
                default -> {
                    if (present.contains(to)) {
                        out.add(value(Op.UPDATE, null, row(id, false), false));
                        continue;
                    }
                    present.remove(id);
                    present.add(to);
                    boolean toast = r.nextBoolean();
                    if (r.nextBoolean()) { // DELETE + INSERT in one transaction, consecutive seq
                        out.add(value(Op.DELETE, key(id), null, false));
                        out.add(value(Op.INSERT, null, row(to, toast), toast));
                    } else {
                        out.add(value(Op.UPDATE, key(id), row(to, toast), toast));
                    }
                }
            }
        }
        return out;
    }

    private GenericRecord key(long id) {
        GenericRecord k = new GenericData.Record(ENV.schemas().row());
        k.put(0, id);
        return k;
    }

    /** @param toastUnchanged the TOAST column not sent (NULL, named in {@code unchanged}) */
    private GenericRecord row(long id, boolean toastUnchanged) {
        GenericRecord row = key(id);
        row.put(1, r.nextInt(5) == 0 ? null : "a" + r.nextInt(1000));
        row.put(2, r.nextInt(1000));
        row.put(3, toastUnchanged ? null : "t" + r.nextInt(1000));
        return row;
    }

    private byte[] value(Op op, GenericRecord before, GenericRecord after, boolean toastUnchanged) {
        ChangeSource source = new ChangeSource(lsn, lsn, 7, 0, seq++, new TableId("public", "t"));
        return SingleObjectCodec.encode(ENV.schemas().value(),
                ENV.value(op, before, after, toastUnchanged ? List.of("toast") : List.of(), source));
    }
}
