package io.pgkb.restorer.internal;

import java.util.Arrays;

/** Values (PostgreSQL text form) identifying a row: its key columns, or the whole row for tables without one. */
public final class RowKey {
    private final String[] values;
    private final int hash;

    public RowKey(String[] values) {
        this.values = values;
        this.hash = Arrays.hashCode(values);
    }

    public static RowKey of(String[] row, int[] columns) {
        String[] v = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            v[i] = row[columns[i]];
        }
        return new RowKey(v);
    }

    public String[] values() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && k.hash == hash && Arrays.equals(k.values, values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
