package io.pgkb.archiver.dump.internal;

/** Small helpers for error messages. */
public final class Sql {
    private Sql() {
    }

    /** The first line of an exception's message: server errors are one line, the rest is detail for logs. */
    public static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl).strip() : m.strip();
    }
}
