package io.pgkb.schemas;

/** Kafka header names of every change record; values are plain UTF-8 text (LSNs as X/X, xid in decimal). */
public final class Headers {
    private Headers() {
    }

    public static final String OP = "pgkb.op";
    public static final String TABLE = "pgkb.table";
    public static final String LSN = "pgkb.lsn";
    public static final String COMMIT_LSN = "pgkb.commit_lsn";
    public static final String XID = "pgkb.xid";
    /** Ordinal within the transaction, decimal; lets tools order without decoding. */
    public static final String SEQ = "pgkb.seq";
    /**
     * On {@code _progress} records: {@code on} or {@code off}, whether the producer that wrote it captured DDL. Missing
     * on records of producers before DDL capture existed, which captured none.
     */
    public static final String DDL_CAPTURE = "pgkb.ddl_capture";
    public static final String DDL_CAPTURE_ON = "on";
    public static final String DDL_CAPTURE_OFF = "off";
}
