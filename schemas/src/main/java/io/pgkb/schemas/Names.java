package io.pgkb.schemas;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The reversible escaping rule for identifiers in topic names and archive keys.
 *
 * <p>Characters {@code [A-Za-z0-9-]} stand for themselves. {@code _} becomes {@code __}. Every other character
 * becomes {@code _xx} for each byte of its UTF-8 encoding, with {@code xx} two lower-case hex digits. So
 * {@code order_items} → {@code order__items}, {@code a.b} → {@code a_2eb}, {@code "Weird Name"} →
 * {@code _22Weird_20Name_22}. The output uses only {@code [A-Za-z0-9_-]}: a legal Kafka topic component and a
 * safe object key, and because {@code .} never survives escaping, {@code prefix.schema.table} splits
 * unambiguously.
 */
public final class Names {
    private Names() {
    }

    public static String escape(String ident) {
        StringBuilder out = new StringBuilder(ident.length() + 8);
        byte[] utf8 = ident.getBytes(StandardCharsets.UTF_8);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                out.append((char) c);
            } else if (c == '_') {
                out.append("__");
            } else {
                out.append('_').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
            }
        }
        return out.toString();
    }

    public static String unescape(String escaped) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '_') {
                if (i + 1 < escaped.length() && escaped.charAt(i + 1) == '_') {
                    out.write('_');
                    i++;
                } else if (i + 2 < escaped.length()) {
                    int hi = Character.digit(escaped.charAt(i + 1), 16);
                    int lo = Character.digit(escaped.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        throw new IllegalArgumentException("bad escape in '" + escaped + "' at " + i);
                    }
                    out.write(hi << 4 | lo);
                    i += 2;
                } else {
                    throw new IllegalArgumentException("bad escape in '" + escaped + "' at " + i);
                }
            } else if (c < 128 && (Character.isLetterOrDigit(c) || c == '-')) {
                out.write(c);
            } else {
                throw new IllegalArgumentException("character '" + c + "' cannot appear in escaped name '" + escaped + "'");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * An Avro name ({@code [A-Za-z_][A-Za-z0-9_]*}) for any identifier: the identifier itself when it is one
     * already, otherwise {@code _} followed by {@link #escape} with {@code -} also escaped.
     */
    public static String avroName(String ident) {
        if (ident.matches("[A-Za-z_][A-Za-z0-9_]*") && !ident.startsWith("__pgkb")) {
            return ident;
        }
        return "_" + escape(ident).replace("-", "_2d");
    }
}
