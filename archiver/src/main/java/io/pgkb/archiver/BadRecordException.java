package io.pgkb.archiver;

import io.pgkb.schemas.PgkbException;

/** A consumed record that is not a valid pgkb record; stops the archiver unless quarantine was chosen (exit 1). */
public class BadRecordException extends PgkbException.FatalException {
    public BadRecordException(String topic, int partition, long offset, String problem) {
        super("bad record topic=" + topic + " partition=" + partition + " offset=" + offset + ": " + problem);
    }
}
