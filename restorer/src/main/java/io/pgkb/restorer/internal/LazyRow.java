package io.pgkb.restorer.internal;

/**
 * The new row of a change kept as its record's bytes, decoded to PostgreSQL text only when read. A fold keeps the
 * net change per key, and most changes of a hot key are replaced by a later one before anyone reads their values:
 * decoding those (a String per value, a conversion each) was a large part of the folding threads' work while the
 * database waited for the first batch. The values are decoded when the merge or the set-wise apply writes them,
 * on their thread, by the same {@link EnvelopePlan} (immutable) that read the record's key; a value that does not
 * decode stops the restore there, naming the record as the eager path does.
 *
 * <p>What was checked when the record was read: the checksum of its segment object, and that its bytes are a datum
 * of the writer schema (every value's union branch and length); a replaced value is never converted.
 */
final class LazyRow {
    /** Heap besides the datum's bytes: this object and the array's header, estimated like {@link KeyFold#heapBytes}. */
    private static final long OVERHEAD = 64;
    private final EnvelopePlan plan;
    private final byte[] datum;
    private final String table;
    private final int partition;
    private final long offset;

    /** @param datum the record's value (single-object encoding), not modified afterwards */
    LazyRow(EnvelopePlan plan, byte[] datum, String table, int partition, long offset) {
        this.plan = plan;
        this.datum = datum;
        this.table = table;
        this.partition = partition;
        this.offset = offset;
    }

    /** The whole row, decoded anew on every call (callers read it once: it is not kept). */
    String[] values() {
        return ChangeDecoding.readAfter(plan, datum, table, partition, offset);
    }

    long heapBytes() {
        return OVERHEAD + datum.length;
    }
}
