package io.pgkb.schemas.internal;

import java.time.LocalDate;

/**
 * Parses and formats PostgreSQL's ISO date/time text (DateStyle=ISO, TimeZone=UTC) to and from Avro's epoch
 * days and microseconds. PostgreSQL and java.time are both proleptic Gregorian; PostgreSQL writes year N BC
 * as {@code N BC}, which is ISO year {@code 1 - N}. Infinity uses the extreme values, as PostgreSQL itself does.
 */
public final class PgTime {
    public static final long MICROS_PER_SECOND = 1_000_000L;
    public static final long MICROS_PER_DAY = 86_400L * MICROS_PER_SECOND;

    private PgTime() {
    }

    public static int parseDate(String text) {
        if (text.equals("infinity")) {
            return Integer.MAX_VALUE;
        }
        if (text.equals("-infinity")) {
            return Integer.MIN_VALUE;
        }
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        return Math.toIntExact(epochDay(body, bc, text));
    }

    public static String formatDate(int epochDay) {
        if (epochDay == Integer.MAX_VALUE) {
            return "infinity";
        }
        if (epochDay == Integer.MIN_VALUE) {
            return "-infinity";
        }
        StringBuilder sb = new StringBuilder(16);
        boolean bc = appendDate(sb, epochDay);
        if (bc) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    /** timestamp (without time zone): microseconds since 1970-01-01 00:00 of the local clock. */
    public static long parseTimestamp(String text, boolean withZone) {
        if (text.equals("infinity")) {
            return Long.MAX_VALUE;
        }
        if (text.equals("-infinity")) {
            return Long.MIN_VALUE;
        }
        long fast = fastTimestamp(text, withZone);
        if (fast != NOT_FAST) {
            return fast;
        }
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        int space = body.indexOf(' ');
        if (space < 0) {
            throw bad("timestamp", text);
        }
        long day = epochDay(body.substring(0, space), bc, text);
        String time = body.substring(space + 1);
        long offsetSeconds = 0;
        int sign = Math.max(time.indexOf('+'), time.indexOf('-'));
        if (sign >= 0) {
            if (!withZone) {
                throw bad("timestamp", text);
            }
            offsetSeconds = parseOffset(time.substring(sign), text);
            time = time.substring(0, sign);
        } else if (withZone) {
            throw bad("timestamptz", text);
        }
        long tod = parseTimeOfDay(time, text);
        try {
            long micros = Math.addExact(Math.multiplyExact(day, MICROS_PER_DAY), tod);
            micros = Math.subtractExact(micros, Math.multiplyExact(offsetSeconds, MICROS_PER_SECOND));
            if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                throw new ArithmeticException("sentinel");
            }
            return micros;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("timestamp out of the range pgkb can carry (microseconds since 1970 in 64 bits): '" + text + "'");
        }
    }

    // never a result of fastTimestamp: its 4-digit years stay far from the 64-bit ends
    private static final long NOT_FAST = Long.MIN_VALUE;

    /**
     * The shape PostgreSQL sends for almost every value ({@code YYYY-MM-DD HH:MM:SS[.f{1,6}][±HH[:MM[:SS]]]}, AD),
     * parsed by position without substrings: the producer converts one per timestamp column per row. Anything
     * else, valid or not, returns {@link #NOT_FAST} and goes through the general parser, which owns the errors.
     */
    private static long fastTimestamp(String t, boolean withZone) {
        int n = t.length();
        if (n < 19 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != ' ' || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return NOT_FAST;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int dom = digits(t, 8, 2);
        int h = digits(t, 11, 2);
        int m = digits(t, 14, 2);
        int s = digits(t, 17, 2);
        if (year <= 0 || month < 1 || month > 12 || dom < 1 || dom > 28 && dom > LocalDate.of(year, month, 1).lengthOfMonth()
                || h < 0 || h > 24 || m < 0 || m > 59 || s < 0 || s > 60) {
            return NOT_FAST;
        }
        int i = 19;
        long frac = 0;
        if (i < n && t.charAt(i) == '.') {
            i++;
            int start = i;
            while (i < n && i - start < 6 && isDigit(t.charAt(i))) {
                frac = frac * 10 + (t.charAt(i) - '0');
                i++;
            }
            if (i == start || i < n && isDigit(t.charAt(i))) {
                return NOT_FAST;
            }
            for (int k = i - start; k < 6; k++) {
                frac *= 10;
            }
        }
        long offsetSeconds = 0;
        if (withZone) {
            if (i >= n || t.charAt(i) != '+' && t.charAt(i) != '-') {
                return NOT_FAST;
            }
            int sign = t.charAt(i) == '-' ? -1 : 1;
            i++;
            long unit = 3600;
            for (int part = 0; part < 3; part++) {
                int v = i + 2 <= n ? digits(t, i, 2) : -1;
                if (v < 0) {
                    return NOT_FAST;
                }
                offsetSeconds += v * unit;
                unit /= 60;
                i += 2;
                if (i == n) {
                    break;
                }
                if (t.charAt(i) != ':' || part == 2) {
                    return NOT_FAST;
                }
                i++;
            }
            offsetSeconds *= sign;
        }
        if (i != n) {
            return NOT_FAST;
        }
        long day = LocalDate.of(year, month, dom).toEpochDay();
        return day * MICROS_PER_DAY + ((h * 60L + m) * 60 + s) * MICROS_PER_SECOND + frac - offsetSeconds * MICROS_PER_SECOND;
    }

    /** The non-negative number in {@code len} ASCII digits at {@code from}, or -1. */
    private static int digits(String t, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = t.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    public static String formatTimestamp(long micros, boolean withZone) {
        if (micros == Long.MAX_VALUE) {
            return "infinity";
        }
        if (micros == Long.MIN_VALUE) {
            return "-infinity";
        }
        long day = Math.floorDiv(micros, MICROS_PER_DAY);
        long tod = Math.floorMod(micros, MICROS_PER_DAY);
        StringBuilder sb = new StringBuilder(40);
        boolean bc = appendDate(sb, day);
        sb.append(' ');
        appendTimeOfDay(sb, tod);
        if (withZone) {
            sb.append("+00");
        }
        if (bc) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    /** time (without time zone): microseconds since midnight; PostgreSQL allows 24:00:00. */
    public static long parseTime(String text) {
        return parseTimeOfDay(text, text);
    }

    public static String formatTime(long micros) {
        StringBuilder sb = new StringBuilder(16);
        appendTimeOfDay(sb, micros);
        return sb.toString();
    }

    private static long epochDay(String date, boolean bc, String original) {
        int d1 = date.indexOf('-');
        int d2 = date.indexOf('-', d1 + 1);
        if (d1 <= 0 || d2 < 0) {
            throw bad("date", original);
        }
        try {
            int year = Integer.parseInt(date.substring(0, d1));
            int month = Integer.parseInt(date.substring(d1 + 1, d2));
            int dom = Integer.parseInt(date.substring(d2 + 1));
            if (year <= 0) {
                throw bad("date", original);
            }
            return LocalDate.of(bc ? 1 - year : year, month, dom).toEpochDay();
        } catch (RuntimeException e) {
            throw bad("date", original);
        }
    }

    /** @return true when the year is BC (the caller appends " BC" at the end, where PostgreSQL puts it) */
    private static boolean appendDate(StringBuilder sb, long epochDay) {
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        int year = date.getYear();
        boolean bc = year <= 0;
        int shown = bc ? 1 - year : year;
        String y = Integer.toString(shown);
        for (int i = y.length(); i < 4; i++) {
            sb.append('0');
        }
        sb.append(y).append('-');
        two(sb, date.getMonthValue());
        sb.append('-');
        two(sb, date.getDayOfMonth());
        return bc;
    }

    private static long parseTimeOfDay(String time, String original) {
        String[] hms = time.split(":", -1);
        if (hms.length != 3) {
            throw bad("time", original);
        }
        try {
            long h = Long.parseLong(hms[0]);
            long m = Long.parseLong(hms[1]);
            String sec = hms[2];
            int dot = sec.indexOf('.');
            long s = Long.parseLong(dot < 0 ? sec : sec.substring(0, dot));
            long frac = 0;
            if (dot >= 0) {
                String f = sec.substring(dot + 1);
                if (f.isEmpty() || f.length() > 6 || !f.chars().allMatch(Character::isDigit)) {
                    throw bad("time", original);
                }
                frac = Long.parseLong((f + "000000").substring(0, 6));
            }
            if (h < 0 || h > 24 || m < 0 || m > 59 || s < 0 || s > 60) {
                throw bad("time", original);
            }
            return ((h * 60 + m) * 60 + s) * MICROS_PER_SECOND + frac;
        } catch (NumberFormatException e) {
            throw bad("time", original);
        }
    }

    private static void appendTimeOfDay(StringBuilder sb, long micros) {
        long secs = micros / MICROS_PER_SECOND;
        long frac = micros % MICROS_PER_SECOND;
        two(sb, (int) (secs / 3600));
        sb.append(':');
        two(sb, (int) (secs / 60 % 60));
        sb.append(':');
        two(sb, (int) (secs % 60));
        if (frac != 0) {
            String f = Long.toString(frac + MICROS_PER_SECOND).substring(1);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
    }

    private static long parseOffset(String off, String original) {
        int sign = off.charAt(0) == '-' ? -1 : 1;
        String[] parts = off.substring(1).split(":", -1);
        if (parts.length > 3) {
            throw bad("timestamptz", original);
        }
        try {
            long seconds = 0;
            long unit = 3600;
            for (String p : parts) {
                seconds += Long.parseLong(p) * unit;
                unit /= 60;
            }
            return sign * seconds;
        } catch (NumberFormatException e) {
            throw bad("timestamptz", original);
        }
    }

    private static void two(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        sb.append(v);
    }

    private static IllegalArgumentException bad(String type, String text) {
        return new IllegalArgumentException("not a PostgreSQL ISO " + type + ": '" + text + "'");
    }
}
