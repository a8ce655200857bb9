package io.pgkb.schemas;

/**
 * A PostgreSQL log sequence number: an unsigned 64-bit WAL position, written {@code X/X} in hex as
 * PostgreSQL prints it. Ordering is unsigned, so positions above 2^63 still compare correctly.
 */
public final class Lsn implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0L);
    public static final Lsn MAX = new Lsn(-1L);

    private final long value;

    private Lsn(long value) {
        this.value = value;
    }

    public static Lsn of(long value) {
        return value == 0L ? ZERO : new Lsn(value);
    }

    /** Parses {@code X/X} (1-8 hex digits each side, as pg_lsn prints it). */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN must not be null");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash != text.lastIndexOf('/') || slash == text.length() - 1
                || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not an LSN (expected X/X in hex, e.g. 16/B374D848): '" + text + "'");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (i != slash && !hex) {
                throw new IllegalArgumentException("not an LSN (expected X/X in hex, e.g. 16/B374D848): '" + text + "'");
            }
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash), 16);
            long lo = Long.parseLong(text.substring(slash + 1), 16);
            return of((hi << 32) | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected X/X in hex, e.g. 16/B374D848): '" + text + "'");
        }
    }

    public long asLong() {
        return value;
    }

    public boolean isZero() {
        return value == 0L;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Unsigned comparison of raw values, for code that keeps LSNs as {@code long}. */
    public static int compare(long a, long b) {
        return Long.compareUnsigned(a, b);
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lsn other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** Lower-case 16 hex digits, zero padded: sorts like the LSN, used in archive keys. */
    public String toHex16() {
        return String.format("%016x", value);
    }

    public static Lsn fromHex16(String hex) {
        if (hex.length() != 16 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a 16-digit hex LSN: '" + hex + "'");
        }
        return of(Long.parseUnsignedLong(hex, 16));
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
