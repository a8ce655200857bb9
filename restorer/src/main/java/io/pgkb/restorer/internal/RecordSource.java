package io.pgkb.restorer.internal;

import io.pgkb.store.catalog.ArchivedEntry;
import io.pgkb.store.catalog.SegmentStream;
import java.io.Closeable;

/** The records of one piece of a partition (a segment object or a range of the topic), in offset order. */
interface RecordSource extends Closeable {
    /** Next record, or null at the end. */
    ArchivedEntry next();

    /** Reads what is left, so whatever is proven at the end (a segment's checksum) is proven. */
    void finish();

    @Override
    void close();

    static RecordSource of(SegmentStream s) {
        return new RecordSource() {
            @Override
            public ArchivedEntry next() {
                return s.next();
            }

            @Override
            public void finish() {
                s.drain();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
