package io.pgkb.schemas.internal;

import io.pgkb.schemas.ValueConverter;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** The converters of the type mapping, one per Avro representation. */
public final class Converters {
    private Converters() {
    }

    public static final ValueConverter TEXT = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t;
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : v.toString();
        }
    };

    public static final ValueConverter BOOL = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            if (t == null) {
                return null;
            }
            return switch (t) {
                case "t", "true" -> Boolean.TRUE;
                case "f", "false" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("not a PostgreSQL boolean: '" + t + "'");
            };
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : ((Boolean) v) ? "t" : "f";
        }
    };

    public static final ValueConverter INT = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t == null ? null : Integer.parseInt(t);
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : v.toString();
        }
    };

    public static final ValueConverter LONG = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t == null ? null : Long.parseLong(t);
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : v.toString();
        }
    };

    /** Java's parser and printer know NaN, Infinity and -Infinity under the same spelling as PostgreSQL. */
    public static final ValueConverter FLOAT = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t == null ? null : Float.parseFloat(t);
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : Float.toString((Float) v);
        }
    };

    public static final ValueConverter DOUBLE = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t == null ? null : Double.parseDouble(t);
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : Double.toString((Double) v);
        }
    };

    public static final ValueConverter DATE = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t == null ? null : PgTime.parseDate(t);
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : PgTime.formatDate((Integer) v);
        }
    };

    public static final ValueConverter TIMESTAMP = timestamp(false);
    public static final ValueConverter TIMESTAMPTZ = timestamp(true);

    private static ValueConverter timestamp(boolean withZone) {
        return new ValueConverter() {
            @Override
            public Object toAvro(String t) {
                return t == null ? null : PgTime.parseTimestamp(t, withZone);
            }

            @Override
            public String toPgText(Object v) {
                return v == null ? null : PgTime.formatTimestamp((Long) v, withZone);
            }
        };
    }

    public static final ValueConverter TIME = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t == null ? null : PgTime.parseTime(t);
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : PgTime.formatTime((Long) v);
        }
    };

    /** bytea as hex ({@code \x...}); the escape format is accepted on input too. */
    public static final ValueConverter BYTEA = new ValueConverter() {
        @Override
        public Object toAvro(String t) {
            return t == null ? null : ByteBuffer.wrap(parseBytea(t));
        }

        @Override
        public String toPgText(Object v) {
            return v == null ? null : "\\x" + HexFormat.of().formatHex(bytes(v));
        }
    };

    /** numeric(p,s): the decimal's unscaled bytes, or the string branch for NaN and ±Infinity. */
    public static ValueConverter numeric(int scale) {
        return new ValueConverter() {
            @Override
            public Object toAvro(String t) {
                if (t == null) {
                    return null;
                }
                if (t.equals("NaN") || t.equals("Infinity") || t.equals("-Infinity")) {
                    return t;
                }
                BigDecimal d;
                try {
                    d = new BigDecimal(t).setScale(scale, RoundingMode.UNNECESSARY);
                } catch (ArithmeticException | NumberFormatException e) {
                    throw new IllegalArgumentException("not a numeric of scale " + scale + ": '" + t + "'");
                }
                return ByteBuffer.wrap(d.unscaledValue().toByteArray());
            }

            @Override
            public String toPgText(Object v) {
                if (v == null) {
                    return null;
                }
                if (v instanceof CharSequence s) {
                    return s.toString();
                }
                return decimal(v, scale).toPlainString();
            }
        };
    }

    public static BigDecimal decimal(Object avroBytes, int scale) {
        return new BigDecimal(new BigInteger(bytes(avroBytes)), scale);
    }

    public static byte[] bytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        ByteBuffer buf = ((ByteBuffer) v).duplicate();
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    static byte[] parseBytea(String t) {
        if (t.startsWith("\\x")) {
            try {
                return HexFormat.of().parseHex(t, 2, t.length());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a hex bytea: '" + abbreviate(t) + "'");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\\') {
                if (i + 1 < t.length() && t.charAt(i + 1) == '\\') {
                    out.write('\\');
                    i++;
                } else if (i + 3 < t.length() && isOctal(t, i + 1)) {
                    out.write(Integer.parseInt(t.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    throw new IllegalArgumentException("not a bytea: '" + abbreviate(t) + "'");
                }
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(String t, int from) {
        for (int i = from; i < from + 3; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String t) {
        return t.length() <= 40 ? t : t.substring(0, 40) + "...";
    }
}
