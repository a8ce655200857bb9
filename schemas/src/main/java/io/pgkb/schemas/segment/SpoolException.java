package io.pgkb.schemas.segment;

import io.pgkb.schemas.Messages;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writing a segment's local spool file failed (disk full, quota, I/O error): the local disk, not the archive or
 * Kafka. Its own type so the archiver can tell the operator which of the two it waits for.
 */
public final class SpoolException extends IOException {
    private static final long serialVersionUID = 1L;

    public SpoolException(Path spool, IOException cause) {
        super("cannot write spool file " + spool + ": " + Messages.firstLine(cause), cause);
    }
}
