package io.pgkb.restorer;


/**
 * How much a restore does at once.
 *
 * @param parallel        tables rebuilt at once
 * @param batchKeys       keys per set-wise batch (the first, merged into the dump's load, may hold more); bounds memory
 * @param loadConnections connections each table's dump load is spread over ({@link SplitCopy})
 */
public record RestoreTuning(int parallel, int batchKeys, int loadConnections) {
    /** What {@code pgkb restore} uses when no option says otherwise. */
    public static final int DEFAULT_PARALLEL = 1;
    public static final int DEFAULT_BATCH_KEYS = 100_000;
    public static final int DEFAULT_LOAD_CONNECTIONS = 2;
}
