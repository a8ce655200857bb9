package io.pgkb.restorer.internal;

import io.pgkb.schemas.TableId;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.catalog.SegmentStream;

/** Opens the pieces of a plan: segment objects from the store, topic ranges from Kafka (when a tail is given). */
public record Sources(ObjectStore store, KafkaTail tail, String prefix) {

    RecordSource open(TableId table, int partition, Piece piece) {
        if (piece instanceof Piece.Archived a) {
            return RecordSource.of(SegmentStream.open(store, a.ref()));
        }
        if (piece instanceof Piece.Kafka k) {
            return tail.open(table.topic(prefix), "table " + table, partition, k.first(), k.last(), true);
        }
        throw new IllegalStateException("a plan with missing offsets is never read");
    }
}
