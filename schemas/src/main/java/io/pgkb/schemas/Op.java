package io.pgkb.schemas;

/** The kind of change, as in {@code Op.avsc}. A primary-key change is a DELETE of the old key then an INSERT. */
public enum Op {
    INSERT, UPDATE, DELETE, TRUNCATE
}
