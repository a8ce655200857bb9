package io.pgkb.restorer.internal;

/**
 * A set of key hashes as one bit each (a Bloom filter with one hash), about 16 bits per expected key: a clear bit
 * says a key is surely not in the set, a set bit only that it may be. The fold adds every key it holds as it folds,
 * so the dump merge can pass most dump rows on their bytes alone ({@link DumpMerge}) without a pass over the fold
 * between the two, while the database waits for the COPY's first rows.
 */
final class KeyFilter {
    private final long[] bits;
    private final int mask;

    KeyFilter(int expectedKeys) {
        // a power of two, so the bit is a mask of the hash; a fold larger than expected only sets more bits
        int n = Integer.highestOneBit((int) Math.max(64, Math.min(1 << 28, expectedKeys * 16L)));
        bits = new long[n >>> 6];
        mask = n - 1;
    }

    /** Adds the key whose {@link RowKey#hashCode} is {@code hash}. */
    void add(int hash) {
        int bit = spread(hash) & mask;
        bits[bit >>> 6] |= 1L << bit;
    }

    /** False only when no key of this hash was added. */
    boolean mayContain(int hash) {
        int bit = spread(hash) & mask;
        return (bits[bit >>> 6] & (1L << bit)) != 0;
    }

    /** Mixes the hash's bits, so keys of consecutive integers spread over the whole filter. */
    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 15);
    }
}
