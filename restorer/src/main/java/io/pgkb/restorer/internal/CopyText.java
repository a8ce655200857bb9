package io.pgkb.restorer.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL's COPY text format, one field at a time: the escaping {@link CopyWriter} writes and the unescaping
 * {@code COPY … FROM} does (PostgreSQL docs, "COPY", File Formats → Text Format), so a field read from a dump
 * compares with a value exactly as the server would read it.
 */
final class CopyText {
    private CopyText() {
    }

    /** Appends {@code value} escaped ({@code \N} for null) to {@code out}. */
    static void append(StringBuilder out, String value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            char e = escape(c);
            if (e != 0) {
                out.append('\\').append(e);
            } else {
                out.append(c);
            }
        }
    }

    /**
     * Writes {@code value} into {@code out} at {@code pos} when it is its own COPY text in UTF-8: plain ASCII with
     * nothing to escape (nearly every value). Returns the position after it; -1 when it is not, or does not fit,
     * and then what was written is not to be taken (the caller goes through {@link #append}).
     */
    static int putPlain(String value, byte[] out, int pos) {
        int n = value.length();
        if (pos + n > out.length) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80 || escape(c) != 0) {
                return -1;
            }
            out[pos + i] = (byte) c;
        }
        return pos + n;
    }

    /** The letter written after a backslash for {@code c}, or 0 when {@code c} stands for itself. */
    private static char escape(char c) {
        return switch (c) {
            case '\\' -> '\\';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            default -> 0;
        };
    }

    /**
     * The value of the field {@code b[from, to)} (UTF-8 COPY text, no tab or newline inside), null for {@code \N}.
     * Every escape COPY FROM reads: {@code \b \f \n \r \t \v}, {@code \}1-3 octal digits, {@code \x}1-2 hex
     * digits (bytes, decoded as UTF-8 with the rest), any other character after a backslash stands for itself.
     */
    static String field(byte[] b, int from, int to) {
        int bs = -1;
        for (int i = from; i < to; i++) {
            if (b[i] == '\\') {
                bs = i;
                break;
            }
        }
        if (bs < 0) {
            return new String(b, from, to - from, StandardCharsets.UTF_8);
        }
        if (bs == from && to - from == 2 && b[from + 1] == 'N') {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        out.write(b, from, bs - from);
        for (int i = bs; i < to; i++) {
            byte c = b[i];
            if (c != '\\' || i + 1 == to) {
                out.write(c);
                continue;
            }
            byte e = b[++i];
            switch (e) {
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(0x0b);
                case 'x' -> {
                    int v = 0;
                    int n = 0;
                    while (n < 2 && i + 1 < to && Character.digit(b[i + 1], 16) >= 0) {
                        v = v * 16 + Character.digit(b[++i], 16);
                        n++;
                    }
                    if (n == 0) {
                        out.write('x'); // "\x" without a hex digit is a plain x
                    } else {
                        out.write(v);
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int n = 1; n < 3 && i + 1 < to && b[i + 1] >= '0' && b[i + 1] <= '7'; n++) {
                            v = v * 8 + (b[++i] - '0');
                        }
                        out.write(v & 0xff);
                    } else {
                        out.write(e);
                    }
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
