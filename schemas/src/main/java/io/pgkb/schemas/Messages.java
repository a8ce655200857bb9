package io.pgkb.schemas;

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
}
