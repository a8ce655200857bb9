package io.pgkb.restorer.internal;

import java.util.ArrayList;
import java.util.List;

/** The columns a writer schema says the table had: exact PostgreSQL names and {@code format_type()} types. */
public record RowShape(List<Column> columns) {

    public record Column(String name, String type) {
    }

    public RowShape {
        columns = List.copyOf(columns);
    }

    public int size() {
        return columns.size();
    }

    public int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Column c : columns) {
            out.add(c.name());
        }
        return out;
    }
}
