package io.pgkb.producer.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The column values of one tuple as pgoutput sent them. Each value is a NULL, an unchanged TOAST value (the
 * server did not send it), or the column's text form. Binary values ('b', not requested by pgkb) keep their bytes.
 */
public final class TupleData {
    public enum Kind { NULL, UNCHANGED_TOAST, TEXT, BINARY }

    public record Value(Kind kind, String text, byte[] binary) {
        static final Value NULL = new Value(Kind.NULL, null, null);
        static final Value UNCHANGED = new Value(Kind.UNCHANGED_TOAST, null, null);

        public static Value text(String text) {
            return new Value(Kind.TEXT, text, null);
        }
    }

    private final List<Value> values;

    public TupleData(List<Value> values) {
        this.values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    private TupleData(Value[] owned) {
        this.values = Collections.unmodifiableList(Arrays.asList(owned));
    }

    /** Wraps {@code values} without a copy (the decoder's hot path); the caller must not change the array afterwards. */
    static TupleData owning(Value[] values) {
        return new TupleData(values);
    }

    public int size() {
        return values.size();
    }

    public Value get(int i) {
        return values.get(i);
    }

    public Kind kind(int i) {
        return values.get(i).kind();
    }

    /** The text form, or null for NULL and unchanged TOAST. */
    public String text(int i) {
        return values.get(i).text();
    }

    public List<Value> values() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TupleData other) || other.values.size() != values.size()) {
            return false;
        }
        for (int i = 0; i < values.size(); i++) {
            Value a = values.get(i);
            Value b = other.values.get(i);
            if (a.kind() != b.kind() || !Objects.equals(a.text(), b.text())
                    || !Arrays.equals(a.binary(), b.binary())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Value v : values) {
            h = 31 * h + v.kind().hashCode() + Objects.hashCode(v.text());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.size(); i++) {
            Value v = values.get(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(switch (v.kind()) {
                case NULL -> "NULL";
                case UNCHANGED_TOAST -> "<unchanged>";
                case TEXT -> "'" + v.text() + "'";
                case BINARY -> "<" + v.binary().length + " bytes>";
            });
        }
        return sb.append(')').toString();
    }
}
