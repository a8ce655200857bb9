package io.pgkb.restorer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgkb.restorer.internal.History;
import io.pgkb.schemas.Lsn;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes history entries as JSON lines, or as aligned lines for people ({@code --format table}). */
final class HistoryPrinter {
    private static final int VALUE_WIDTH = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;
    private final boolean table;
    private boolean header;

    HistoryPrinter(PrintStream out, boolean table) {
        this.out = out;
        this.table = table;
    }

    void print(History.Entry e) {
        if (!table) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("commit_lsn", Lsn.of(e.commitLsn()).toString());
            doc.put("commit_time", time(e.commitTimeMicros()));
            doc.put("xid", e.xid());
            doc.put("op", e.op().name());
            doc.put("key", e.key());
            doc.put("before", e.before());
            doc.put("after", e.after());
            doc.put("changed", e.changed());
            out.println(json(doc));
            return;
        }
        if (!header) {
            out.println(String.format("%-14s %-27s %-10s %-8s %-24s %s", "commit_lsn", "commit_time", "xid", "op", "key", "changes"));
            header = true;
        }
        out.println(String.format("%-14s %-27s %-10d %-8s %-24s %s", Lsn.of(e.commitLsn()), time(e.commitTimeMicros()), e.xid(),
                e.op(), e.key() == null ? "" : json(e.key()), changes(e)));
    }

    /** UPDATE: {@code col: old -> new} per changed column; INSERT and DELETE: the row's values. */
    private static String changes(History.Entry e) {
        List<String> parts = new ArrayList<>();
        for (String c : e.changed()) {
            if (e.before() != null && e.after() != null) {
                parts.add(c + ": " + shown(e.before().get(c)) + " -> " + shown(e.after().get(c)));
            } else {
                Map<String, String> row = e.after() != null ? e.after() : e.before();
                parts.add(c + "=" + shown(row.get(c)));
            }
        }
        return String.join("; ", parts);
    }

    private static String shown(String v) {
        if (v == null) {
            return "NULL";
        }
        String one = v.replace("\n", "\\n").replace("\t", "\\t");
        return one.length() <= VALUE_WIDTH ? one : one.substring(0, VALUE_WIDTH) + "...(" + v.length() + " chars)";
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String time(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }

    void flush() {
        out.flush();
    }
}
