package io.pgkb.archiver.internal;

/**
 * The numbers in the producer's {@code pgkb.commit_lsn} and {@code pgkb.seq} headers, read straight from the header
 * bytes for the common form only (plain ASCII, short enough that no overflow is possible); anything else answers
 * {@link #NOT_A_NUMBER} and the caller decodes the text with the library ({@code Lsn.parse}, {@code Long.parseLong}),
 * which then decides. This runs twice per archived record on the poll thread, where a String, two substrings and
 * an Lsn per record showed in the profile. {@code HeaderNumbersTest} compares both paths on random input.
 */
final class HeaderNumbers {
    /**
     * "Not taken here". No decimal of at most 18 digits is this; the one LSN that is (80000000/0) is answered as not
     * taken and so parsed by {@code Lsn.parse}, to the same value.
     */
    static final long NOT_A_NUMBER = Long.MIN_VALUE;

    private HeaderNumbers() {
    }

    /** {@code X/X}, each part 1-8 hex digits, as {@code Lsn.parse} accepts it; else {@link #NOT_A_NUMBER}. */
    static long lsn(byte[] text) {
        int slash = -1;
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '/') {
                slash = i;
                break;
            }
        }
        if (slash < 1 || slash > 8 || text.length - slash - 1 < 1 || text.length - slash - 1 > 8) {
            return NOT_A_NUMBER;
        }
        long hi = hex(text, 0, slash);
        long lo = hex(text, slash + 1, text.length);
        return hi < 0 || lo < 0 ? NOT_A_NUMBER : hi << 32 | lo;
    }

    /** An optional sign and 1-18 ASCII digits, as {@code Long.parseLong} reads them; else {@link #NOT_A_NUMBER}. */
    static long decimal(byte[] text) {
        int i = text.length > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
        if (text.length - i < 1 || text.length - i > 18) {
            return NOT_A_NUMBER;
        }
        long v = 0;
        for (int k = i; k < text.length; k++) {
            int d = text[k] - '0';
            if (d < 0 || d > 9) {
                return NOT_A_NUMBER;
            }
            v = v * 10 + d;
        }
        return text[0] == '-' ? -v : v;
    }

    /** The hex digits in {@code text[from, to)} (at most 8), or -1 if any byte is not one. */
    private static long hex(byte[] text, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int b = text[i];
            int d;
            if (b >= '0' && b <= '9') {
                d = b - '0';
            } else if (b >= 'a' && b <= 'f') {
                d = b - 'a' + 10;
            } else if (b >= 'A' && b <= 'F') {
                d = b - 'A' + 10;
            } else {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }
}
