package io.pgkb.schemas.segment;

import java.util.HashMap;
import java.util.Map;

/**
 * How a format-2 block numbers its columns: 0 holds the keys, then each (row schema, side) gets as many consecutive
 * columns as its row has fields, in order of first use within the block. Writer and reader both number through
 * this one rule, record by record, so they agree without the numbering being stored.
 */
final class ColumnNumbers {
    private final Map<Integer, Integer> bases = new HashMap<>();
    private int used = 1;

    /** The first of the {@code fields} columns of row schema {@code k}'s {@code side}. */
    int base(int k, int side, int fields) {
        Integer b = bases.get(2 * k + side);
        if (b == null) {
            b = used;
            used += fields;
            bases.put(2 * k + side, b);
        }
        return b;
    }

    /** Columns numbered so far, the key column included. */
    int used() {
        return used;
    }

    /** Starts the numbering of the next block. */
    void reset() {
        bases.clear();
        used = 1;
    }
}
