package io.pgkb.schemas.segment;

import java.util.Arrays;

/**
 * How a format-2 block numbers its columns: 0 holds the keys, then each (row schema, side) gets as many consecutive
 * columns as its row has fields, in order of first use within the block. Writer and reader both number through
 * this one rule, record by record, so they agree without the numbering being stored.
 */
final class ColumnNumbers {
    private static final int UNSET = 0; // column 0 is the keys', never a row's first
    /** Per {@code 2 * row schema + side}: its first column, or {@link #UNSET}. An array: this runs for every record. */
    private int[] bases = new int[8];
    private int used = 1;

    /** The first of the {@code fields} columns of row schema {@code k}'s {@code side}. */
    int base(int k, int side, int fields) {
        int i = 2 * k + side;
        if (i >= bases.length) {
            bases = Arrays.copyOf(bases, Math.max(2 * bases.length, i + 1));
        }
        if (bases[i] == UNSET) {
            bases[i] = used;
            used += fields;
        }
        return bases[i];
    }

    /** Columns numbered so far, the key column included. */
    int used() {
        return used;
    }

    /** Starts the numbering of the next block. */
    void reset() {
        Arrays.fill(bases, UNSET);
        used = 1;
    }
}
