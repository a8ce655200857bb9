package io.pgkb.restorer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgkb.restorer.internal.Change.Op;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.TableId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DumpMerge} on hand-built COPY text: the merged COPY must hold what loading the dump and applying the fold
 * set-wise holds (the semantics {@link FoldTest#applyFold} models), untouched rows byte for byte.
 */
class DumpMergeTest {
    private static final TableId WORK = new TableId("public", "w");
    // columns: id (key), a, toast
    private static final RowShape SHAPE = new RowShape(List.of(new RowShape.Column("id", "text"),
            new RowShape.Column("a", "text"), new RowShape.Column("toast", "text")));
    private static final int[] KEY = {0};
    private long seq;

    private Change ins(RowShape shape, String... row) {
        return new Change(Op.INSERT, 100, seq++, shape, null, row, null);
    }

    private Change upd(RowShape shape, boolean[] unchanged, String... row) {
        return new Change(Op.UPDATE, 100, seq++, shape, null, row, unchanged);
    }

    private Change del(RowShape shape, String... before) {
        return new Change(Op.DELETE, 100, seq++, shape, before, null, null);
    }

    /** DELETE old + INSERT new without the TOAST column (index 2 of SHAPE), as a key change arrives. */
    private List<Change> keyChange(String from, String to, String a) {
        return List.of(del(SHAPE, from, null, null), new Change(Op.INSERT, 100, seq++, SHAPE, null,
                new String[] {to, a, null}, new boolean[] {false, false, true}));
    }

    private static String merge(KeyFold fold, int[] key, int width, String dump) throws Exception {
        return merge(fold, key, width, new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)));
    }

    private static String merge(KeyFold fold, int[] key, int width, InputStream dump) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DumpMerge(fold, key, width, WORK, "dump-object").run(dump, out::write);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void keysWithEscapesAreComparedByTheirValueAndUntouchedRowsPassByteForByte() throws Exception {
        String dump = "x\\ty\tdeleted\t\\N\n"
                + "line\\nbreak\told\tbig\n"
                + "back\\\\slash\tkept \\\\ as is\t\\N\n"
                + "cr\\r\tkept\ttoo\n";
        KeyFold f = new KeyFold(KEY, 3);
        f.add(del(SHAPE, "x\ty", null, null));
        f.add(ins(SHAPE, "line\nbreak", "new\tvalue", null));
        assertThat(merge(f, KEY, 3, dump)).isEqualTo(
                "line\\nbreak\tnew\\tvalue\t\\N\n"
                + "back\\\\slash\tkept \\\\ as is\t\\N\n"
                + "cr\\r\tkept\ttoo\n");
    }

    @Test
    void fieldsUnescapeAsCopyFromReadsThem() {
        assertThat(field("\\N")).isNull();
        assertThat(field("\\\\N")).isEqualTo("\\N");
        assertThat(field("a\\tb\\nc\\\\d\\re")).isEqualTo("a\tb\nc\\d\re");
        assertThat(field("\\101\\x42\\x4a\\7z\\q")).isEqualTo("ABJ\u0007zq");
        assertThat(field("\\xc3\\xa9 é")).isEqualTo("é é");
        assertThat(field("\\b\\f\\v")).isEqualTo("\b\f\u000b");
        assertThat(field("")).isEmpty();
    }

    private static String field(String copyText) {
        byte[] b = copyText.getBytes(StandardCharsets.UTF_8);
        return CopyText.field(b, 0, b.length);
    }

    @Test
    void aKeyOfSeveralColumnsNotFirstIsMatchedOnAllOfThem() throws Exception {
        // columns: v, k2 (key), toast, k1 (key); primary key (k1, k2)
        RowShape shape = new RowShape(List.of(new RowShape.Column("v", "text"), new RowShape.Column("k2", "integer"),
                new RowShape.Column("toast", "text"), new RowShape.Column("k1", "text")));
        int[] key = {3, 1};
        String dump = "v1\t1\tbig1\ta\n"
                + "v2\t2\tbig2\ta\n"
                + "v3\t1\tbig3\tb\n";
        KeyFold f = new KeyFold(key, 4);
        // (a, 2) patched with its TOAST column unchanged; (b, 1) deleted; (a, 1) not touched
        f.add(upd(shape, new boolean[] {false, false, true, false}, "v2new", "2", null, "a"));
        f.add(del(shape, null, "1", null, "b"));
        f.add(ins(shape, "v4", "1", "t4", "c"));
        assertThat(merge(f, key, 4, dump)).isEqualTo("v1\t1\tbig1\ta\n"
                + "v2new\t2\tbig2\ta\n"
                + "v4\t1\tt4\tc\n");
    }

    @Test
    void aPatchKeepsTheDumpRowsUnsentColumnsAsTheyAre() throws Exception {
        KeyFold f = new KeyFold(KEY, 3);
        f.add(upd(SHAPE, new boolean[] {false, false, true}, "1", "new", null));
        assertThat(merge(f, KEY, 3, "1\told\tbig \\\\ toast\\n\n")).isEqualTo("1\tnew\tbig \\\\ toast\\n\n");
    }

    @Test
    void keyChangesTakeUnsentColumnsFromTheSourceRowWhetherItComesBeforeOrAfterTheNewKey() throws Exception {
        KeyFold f = new KeyFold(KEY, 3);
        f.add(del(SHAPE, "9", null, null)); // 9 and 0 are in the dump, deleted, then the targets of key changes
        f.add(del(SHAPE, "0", null, null));
        keyChange("1", "9", "moved1").forEach(f::add); // source row before the new key's dump row
        keyChange("5", "0", "moved5").forEach(f::add); // source row after it
        String out = merge(f, KEY, 3, "0\tzero\tz\n1\tone\tbig1\n5\tfive\tbig5\n7\tseven\ts\n9\tnine\tn\n");
        assertThat(rows(out)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "9", new String[] {"9", "moved1", "big1"},
                "0", new String[] {"0", "moved5", "big5"},
                "7", new String[] {"7", "seven", "s"}));
    }

    @Test
    void anEmptyDumpTakesTheInsertedRowsAndNothingElse() throws Exception {
        KeyFold f = new KeyFold(KEY, 3);
        f.add(ins(SHAPE, "1", "a", null));
        f.add(ins(SHAPE, "2", "b", "t"));
        f.add(del(SHAPE, "2", null, null));
        assertThat(merge(f, KEY, 3, "")).isEqualTo("1\ta\t\\N\n");
    }

    @Test
    void aPatchOfARowTheDumpLacksIsRefused() {
        KeyFold f = new KeyFold(KEY, 3);
        f.add(upd(SHAPE, new boolean[] {false, false, true}, "2", "new", null));
        assertThatThrownBy(() -> merge(f, KEY, 3, "1\ta\tb\n"))
                .isInstanceOf(PgkbException.FatalException.class)
                .hasMessageContaining("disagrees with the table: rows updated 0, expected 1");
    }

    @Test
    void aKeyChangeFromARowTheDumpLacksIsRefused() {
        KeyFold f = new KeyFold(KEY, 3);
        keyChange("2", "3", "x").forEach(f::add);
        assertThatThrownBy(() -> merge(f, KEY, 3, "1\ta\tb\n"))
                .isInstanceOf(PgkbException.FatalException.class)
                .hasMessageContaining("disagrees with the table: old rows of primary-key changes 0, expected 1");
    }

    @Test
    void aChangedRowWithTheWrongNumberOfFieldsIsADamagedDump() {
        KeyFold f = new KeyFold(KEY, 3);
        f.add(upd(SHAPE, null, "1", "new", "t"));
        assertThatThrownBy(() -> merge(f, KEY, 3, "1\ta\n"))
                .isInstanceOf(PgkbException.ArchiveIncompleteException.class)
                .hasMessageContaining("dump-object row 1 has 2 fields");
    }

    @Test
    void onlyKeyTypesWithOneTextPerValueAreMerged() {
        assertThat(DumpMerge.comparable(SHAPE, KEY)).isTrue();
        for (String t : List.of("numeric", "timestamp with time zone", "date", "double precision", "bytea", "citext", "boolean")) {
            assertThat(DumpMerge.comparable(new RowShape(List.of(new RowShape.Column("id", t))), new int[] {0})).as(t).isFalse();
        }
        assertThat(DumpMerge.comparable(new RowShape(List.of(new RowShape.Column("id", "character varying(20)"))), new int[] {0})).isTrue();
    }

    /**
     * Random dumps (values with tabs, newlines, backslashes, non-ASCII, NULL; a row longer than the read buffer),
     * read a few bytes at a time, and random streams of inserts, updates with and without unchanged TOAST, deletes
     * and key changes: the merged COPY holds exactly what replaying the changes one by one on the dump holds.
     */
    @Test
    void randomDumpsAndStreamsMergeToWhatSequentialReplayGives() throws Exception {
        Random rnd = new Random(7);
        for (int round = 0; round < 300; round++) {
            Map<String, String[]> table = new LinkedHashMap<>();
            int keys = 12;
            for (int k = 0; k < keys; k++) {
                if (rnd.nextBoolean()) {
                    String id = key(k);
                    table.put(id, new String[] {id, value(rnd, round), round == 5 && k == 3 ? "x".repeat(300_000) : value(rnd, round)});
                }
            }
            StringBuilder dump = new StringBuilder();
            for (String[] row : table.values()) {
                CopyText.append(dump, row[0]);
                for (int i = 1; i < 3; i++) {
                    dump.append('\t');
                    CopyText.append(dump, row[i]);
                }
                dump.append('\n');
            }
            KeyFold f = new KeyFold(KEY, 3);
            Map<String, String[]> reference = new HashMap<>(table);
            for (int n = 0; n < 1 + rnd.nextInt(30); n++) {
                String k = key(rnd.nextInt(keys));
                String[] cur = reference.get(k);
                int what = rnd.nextInt(4);
                if (cur == null) {
                    String[] row = {k, value(rnd, n), value(rnd, n)};
                    f.add(ins(SHAPE, row));
                    reference.put(k, row);
                } else if (what == 0) {
                    f.add(del(SHAPE, k, null, null));
                    reference.remove(k);
                } else if (what == 1) {
                    String a = value(rnd, n);
                    f.add(upd(SHAPE, new boolean[] {false, false, true}, k, a, null));
                    reference.put(k, new String[] {k, a, cur[2]});
                } else if (what == 2) {
                    String[] row = {k, value(rnd, n), value(rnd, n)};
                    f.add(upd(SHAPE, null, row));
                    reference.put(k, row);
                } else {
                    String to = key(rnd.nextInt(keys));
                    if (reference.containsKey(to)) {
                        continue;
                    }
                    String a = value(rnd, n);
                    keyChange(k, to, a).forEach(f::add);
                    reference.remove(k);
                    reference.put(to, new String[] {to, a, cur[2]});
                }
            }
            InputStream trickle = new FilterInputStream(new ByteArrayInputStream(dump.toString().getBytes(StandardCharsets.UTF_8))) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, 1 + rnd.nextInt(7)));
                }
            };
            String out = merge(f, KEY, 3, round % 2 == 0 ? trickle : new ByteArrayInputStream(dump.toString().getBytes(StandardCharsets.UTF_8)));
            assertThat(rows(out)).as("round %d", round).containsExactlyInAnyOrderEntriesOf(reference);
        }
    }

    /**
     * Thousands of dump rows with plain keys (integers, and a key of two columns) and a fold touching a few: the
     * merge that skips rows by the hash of their key bytes writes exactly what the merge that looks every key up by
     * value writes.
     */
    @Test
    void skippingUntouchedRowsByTheirKeyBytesChangesNothing() throws Exception {
        Random rnd = new Random(9);
        RowShape shape = new RowShape(List.of(new RowShape.Column("k1", "bigint"), new RowShape.Column("a", "text"),
                new RowShape.Column("k2", "text")));
        for (int round = 0; round < 40; round++) {
            int[] key = round % 2 == 0 ? new int[] {0} : new int[] {2, 0};
            StringBuilder dump = new StringBuilder();
            int rows = 1 + rnd.nextInt(5_000);
            for (int r = 0; r < rows; r++) {
                dump.append(r).append('\t').append("row ").append(r).append('\t').append("c").append(r % 7).append('\n');
            }
            List<Change> changes = new ArrayList<>();
            for (int n = rnd.nextInt(200); n > 0; n--) {
                int r = rnd.nextInt(rows * 2); // half of them new keys
                String k2 = "c" + r % 7;
                changes.add(r < rows && rnd.nextBoolean() ? del(shape, Integer.toString(r), null, k2)
                        : ins(shape, Integer.toString(r), "new " + n, k2));
            }
            String[] out = new String[2];
            for (int filter = 0; filter < 2; filter++) {
                // sized as the restore sizes a first fold (for its key limit), so the filter has clear bits to skip by
                KeyFold f = new KeyFold(key, 3, 256);
                changes.forEach(f::add);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                new DumpMerge(f, key, 3, WORK, "dump-object", filter == 1)
                        .run(new ByteArrayInputStream(dump.toString().getBytes(StandardCharsets.UTF_8)), o::write);
                out[filter] = o.toString(StandardCharsets.UTF_8);
            }
            assertThat(out[1]).as("round %d", round).isEqualTo(out[0]);
        }
    }

    /** Keys that need escaping in COPY text, and plain ones. */
    private static String key(int k) {
        return switch (k % 4) {
            case 0 -> "k" + k;
            case 1 -> "t\tab" + k;
            case 2 -> "back\\slash\n" + k;
            default -> "é€" + k;
        };
    }

    private static String value(Random rnd, int n) {
        return switch (rnd.nextInt(6)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "\\N";
            case 3 -> "tab\there\r\nline " + n;
            case 4 -> "ü\\" + n;
            default -> "v" + n;
        };
    }

    /** The merged COPY text as rows by key; fails on a key written twice (ADD PRIMARY KEY would). */
    private static Map<String, String[]> rows(String copyText) {
        Map<String, String[]> out = new HashMap<>();
        for (String line : copyText.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            List<String> fields = new ArrayList<>();
            for (String raw : line.split("\t", -1)) {
                byte[] b = raw.getBytes(StandardCharsets.UTF_8);
                fields.add(CopyText.field(b, 0, b.length));
            }
            String[] row = fields.toArray(new String[0]);
            assertThat(out.put(row[0], row)).as("key %s written twice", row[0]).isNull();
        }
        return out;
    }
}
