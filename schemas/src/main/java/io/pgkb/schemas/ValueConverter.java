package io.pgkb.schemas;

/**
 * Converts one column's values between PostgreSQL text form and the Avro value of its field.
 * Avro values are the generic representation without logical-type conversions: Boolean, Integer, Long, Float,
 * Double, CharSequence, ByteBuffer (bytea and decimal unscaled bytes), Integer days / Long microseconds for
 * dates and times. SQL NULL is Java null both ways.
 */
public interface ValueConverter {
    /** @param pgText PostgreSQL text output (session: DateStyle=ISO, IntervalStyle=postgres, TimeZone=UTC,
     *               extra_float_digits=3, bytea_output=hex), or null for SQL NULL */
    Object toAvro(String pgText);

    /**
     * @return text that PostgreSQL accepts as input for the column's type (casts, COPY after COPY-escaping,
     *         which is the caller's job) and that gives back exactly the same value; null for SQL NULL
     */
    String toPgText(Object avroValue);
}
