package io.pgkb.schemas;

import java.sql.SQLException;

/** Error messages for operators: PostgreSQL, Kafka and JSON errors can span lines; pgkb reports one. */
public final class Messages {
    private Messages() {
    }

    /** The first line of {@code s}; "" for null. */
    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    /** The first line of an exception's message, stripped; its class's simple name when it has no message. */
    public static String firstLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : firstLine(m).strip();
    }

    /** PostgreSQL's error in one line, without its {@code ERROR: } tag; the SQLSTATE when it has no message. */
    public static String serverError(SQLException e) {
        String m = e.getMessage() == null ? e.getSQLState() : e.getMessage();
        return firstLine(m.startsWith("ERROR: ") ? m.substring(7) : m);
    }
}
