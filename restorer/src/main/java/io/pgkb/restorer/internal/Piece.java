package io.pgkb.restorer.internal;

import io.pgkb.store.catalog.SegmentRef;

/** Where the offsets {@code [first, last]} of one partition come from in a restore plan. */
public sealed interface Piece {
    long first();

    long last();

    /** An archived segment object (it may hold offsets outside the range it is chosen for). */
    record Archived(SegmentRef ref) implements Piece {
        @Override
        public long first() {
            return ref.firstOffset();
        }

        @Override
        public long last() {
            return ref.lastOffset();
        }
    }

    /** Read from the topic itself: not in the archive (yet), still held by Kafka. */
    record Kafka(long first, long last) implements Piece {
    }

    /** In neither: a gap. */
    record Missing(long first, long last) implements Piece {
    }
}
