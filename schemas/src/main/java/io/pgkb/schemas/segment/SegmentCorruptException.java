package io.pgkb.schemas.segment;

import io.pgkb.schemas.PgkbException;

/** A segment object that cannot be decoded or does not match its own metadata (exit code 3). */
public class SegmentCorruptException extends PgkbException.ArchiveIncompleteException {
    private final String object;

    public SegmentCorruptException(String object, String problem) {
        super("corrupt segment " + object + ": " + problem);
        this.object = object;
    }

    public SegmentCorruptException(String object, String problem, Throwable cause) {
        this(object, problem);
        initCause(cause);
    }

    /** The object's printable location. */
    public String object() {
        return object;
    }
}
