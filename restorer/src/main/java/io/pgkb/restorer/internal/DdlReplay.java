package io.pgkb.restorer.internal;

import io.pgkb.schemas.DdlEvent;
import io.pgkb.schemas.PgkbException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a captured DDL does to the rows of the table being rebuilt: the columns it drops, renames, retypes and adds
 * (with the value rows older than the ADD show, PostgreSQL's {@code attmissingval}), worked out from the columns
 * before (the dump's or the previous DDL's) and after it. Columns are matched by attnum when known (from the dump's
 * definition or the previous DDL record of the same table oid); otherwise by name, and one unmatched column on each
 * side in the same place is taken for a rename unless the statement says it dropped and added columns. Pure: the
 * {@link Batcher} plans on its thread, the {@link WorkTable} executes.
 *
 * @param actions in the order to run them
 * @param after   the columns after the DDL, as the next writer schema will show them
 * @param attnums the attnum of each column of {@code after}
 */
record DdlReplay(DdlEvent event, List<Action> actions, RowShape after, List<Integer> attnums, Map<String, String> renames) {

    sealed interface Action permits Drop, Rename, Retype, Add {
    }

    record Drop(String column) implements Action {
    }

    record Rename(String from, String to) implements Action {
    }

    /** A type change that kept the rows (no rewrite): the values convert through their text form. */
    record Retype(String column, String type) implements Action {
    }

    /** @param missing what rows older than the ADD show in it (text form), null for NULL */
    record Add(String column, String type, String missing) implements Action {
    }

    boolean changesRows() {
        return !actions.isEmpty();
    }

    /**
     * @param before        the table's columns before the DDL
     * @param beforeAttnums their attnums, null when not known yet (no DDL record since the dump)
     */
    static DdlReplay of(DdlEvent e, RowShape before, List<Integer> beforeAttnums, List<String> primaryKey, String table) {
        List<DdlEvent.Column> now = e.columns();
        int[] match = new int[before.size()]; // index in now, or -1
        boolean[] taken = new boolean[now.size()];
        for (int i = 0; i < before.size(); i++) {
            match[i] = -1;
            for (int j = 0; j < now.size(); j++) {
                boolean same = beforeAttnums != null ? beforeAttnums.get(i) == now.get(j).attnum()
                        : before.columns().get(i).name().equals(now.get(j).name());
                if (same && !taken[j]) {
                    match[i] = j;
                    taken[j] = true;
                    break;
                }
            }
        }
        if (beforeAttnums == null && !dropsAndAdds(e.query())) {
            pairSingleRename(match, taken, before, now);
        }
        List<Action> actions = new ArrayList<>();
        Map<String, String> renames = new HashMap<>();
        for (int i = 0; i < before.size(); i++) {
            String name = before.columns().get(i).name();
            if (match[i] < 0) {
                if (primaryKey.contains(name)) {
                    throw new PgkbException.FatalException("cannot replay " + e.describe() + ": primary-key column "
                            + name + " disappears");
                }
                actions.add(new Drop(name));
            }
        }
        for (int i = 0; i < before.size(); i++) {
            if (match[i] < 0) {
                continue;
            }
            RowShape.Column was = before.columns().get(i);
            DdlEvent.Column is = now.get(match[i]);
            if (!was.name().equals(is.name())) {
                actions.add(new Rename(was.name(), is.name()));
                renames.put(was.name(), is.name());
            }
            if (!was.type().equals(is.type())) {
                actions.add(new Retype(is.name(), is.type()));
            }
        }
        List<RowShape.Column> after = new ArrayList<>();
        List<Integer> attnums = new ArrayList<>();
        for (int j = 0; j < now.size(); j++) {
            DdlEvent.Column c = now.get(j);
            if (!taken[j]) {
                actions.add(new Add(c.name(), c.type(), c.missing()));
            }
            after.add(new RowShape.Column(c.name(), c.type()));
            attnums.add(c.attnum());
        }
        return new DdlReplay(e, List.copyOf(actions), new RowShape(after), List.copyOf(attnums), Map.copyOf(renames));
    }

    private static final Pattern WORD = Pattern.compile("[A-Za-z_]+");

    /**
     * The statement's text has the words DROP and ADD but not RENAME: {@code ALTER TABLE t DROP COLUMN b, ADD COLUMN c}
     * leaves the same shape as a rename of the last column, but is none. (A rename run by dynamic SQL inside a
     * function has no RENAME in the text the trigger saw, so the absence of RENAME alone proves nothing.)
     */
    static boolean dropsAndAdds(String query) {
        if (query == null) {
            return false;
        }
        boolean drop = false;
        boolean add = false;
        Matcher m = WORD.matcher(stripLiterals(query));
        while (m.find()) {
            String w = m.group();
            if (w.equalsIgnoreCase("RENAME")) {
                return false;
            }
            drop |= w.equalsIgnoreCase("DROP");
            add |= w.equalsIgnoreCase("ADD");
        }
        return drop && add;
    }

    /** The text without quoted identifiers, string literals and comments, whose words are no keywords. */
    private static String stripLiterals(String sql) {
        return sql.replaceAll("(?s)\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'|--[^\n]*|/\\*.*?\\*/", " ");
    }

    /** Without attnums: exactly one column gone and one new one that is not past the end is a RENAME COLUMN. */
    private static void pairSingleRename(int[] match, boolean[] taken, RowShape before, List<DdlEvent.Column> now) {
        int gone = -1;
        int goneCount = 0;
        for (int i = 0; i < match.length; i++) {
            if (match[i] < 0) {
                gone = i;
                goneCount++;
            }
        }
        int fresh = -1;
        int freshCount = 0;
        for (int j = 0; j < taken.length; j++) {
            if (!taken[j]) {
                fresh = j;
                freshCount++;
            }
        }
        // an added column comes after every column that was there; a renamed one keeps its place
        if (goneCount == 1 && freshCount == 1 && now.size() == before.size() && fresh == gone) {
            match[gone] = fresh;
            taken[fresh] = true;
        }
    }
}
