package io.pgkb.cli.internal;

/** Keeps a message on one line: a log event or an error is one line, whatever its text holds. */
public final class OneLine {
    private OneLine() {
    }

    public static String of(String text) {
        if (text == null) {
            return "";
        }
        return text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
    }
}
