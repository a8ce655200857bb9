package io.pgkb.testkit;

import java.util.SplittableRandom;

/**
 * Random text for the codec equivalence tests (a specialised encoder or decoder against Avro's own path): empty,
 * one character, short and long strings of ASCII, Latin-1, Cyrillic and supplementary characters (surrogate pairs in
 * Java, four bytes in UTF-8), with the characters that need escaping somewhere (backslash, quotes, tab, newline).
 */
public final class RandomText {
    private static final String[] SPECIAL = {"a", " ", "\\", "\"", "'", "\t", "\n", "表", "é"};

    private RandomText() {
    }

    /** @param longest the length a long string stays below, chosen above the buffer sizes of the code under test */
    public static String of(SplittableRandom r, int longest) {
        int len = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> r.nextInt(40);
            default -> r.nextInt(longest);
        };
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            switch (r.nextInt(5)) {
                case 0 -> sb.append((char) r.nextInt(0x20, 0x7F));
                case 1 -> sb.append((char) r.nextInt(0xA0, 0x100));
                case 2 -> sb.append((char) r.nextInt(0x400, 0x4FF));
                case 3 -> sb.appendCodePoint(r.nextInt(0x1F600, 0x1F650));
                default -> sb.append(SPECIAL[r.nextInt(SPECIAL.length)]);
            }
        }
        return sb.toString();
    }
}
