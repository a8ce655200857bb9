package io.pgkb.testkit.faults;

import java.util.List;
import java.util.Map;

/**
 * What a campaign measured (issue 16 §1). {@code confirmMillis}: the longest time from a restart (the producer ready
 * again, the broker or PostgreSQL started again) until the slot was confirmed past the WAL position of the fault;
 * {@code confirmFromStartMillis} the same for producer kills counted from the new process' start (JVM start included).
 */
public record CampaignFigures(long seed, Map<Fault, Integer> injected, int checkpoints, int tablesCompared,
                              long rowsCompared, long rowsLost, long rowsExtra, int tablesDiffering,
                              long kafkaRecords, long kafkaDuplicates, long confirmMillis, String confirmSlowest,
                              long confirmFromStartMillis, long maxSlotLagBytes, Map<String, List<String>> exits,
                              int verifyExit, List<Integer> dumpExits, long transactions, long seconds) {

    /** True when nothing was lost or differs and the archive verifies: what the campaign must show. */
    public boolean passed() {
        return rowsLost == 0 && rowsExtra == 0 && tablesDiffering == 0 && verifyExit == 0
                && dumpExits.stream().allMatch(c -> c == 0);
    }

    public long componentExits() {
        return exits.values().stream().mapToLong(List::size).sum();
    }

    /** The figures as a Markdown table, as README and docs/benchmarks.md show them. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("| figure | value |\n|---|---|\n");
        row(b, "seed", Long.toString(seed));
        for (Fault f : Fault.values()) {
            if (injected.getOrDefault(f, 0) > 0) {
                row(b, "faults: " + f.label(), Integer.toString(injected.get(f)));
            }
        }
        row(b, "workload transactions", Long.toString(transactions));
        row(b, "checkpoints restored × tables compared", checkpoints + " × " + tablesCompared);
        row(b, "rows compared", Long.toString(rowsCompared));
        row(b, "rows lost", Long.toString(rowsLost));
        row(b, "rows restored that the source lacks", Long.toString(rowsExtra));
        row(b, "tables differing (md5)", Long.toString(tablesDiffering));
        row(b, "verify exit code", Integer.toString(verifyExit));
        row(b, "dump exit codes", dumpExits.toString());
        row(b, "change records in Kafka / duplicates", kafkaRecords + " / " + kafkaDuplicates);
        row(b, "longest restart → slot confirmed past the pre-fault LSN", confirmMillis + " ms (" + confirmSlowest + ")");
        row(b, "longest producer process start → confirmed", confirmFromStartMillis + " ms");
        row(b, "largest slot lag", String.format("%.1f MiB", maxSlotLagBytes / 1048576.0));
        row(b, "components that exited by themselves", componentExits() == 0 ? "0" : componentExits() + " " + exits);
        row(b, "campaign duration", seconds + " s");
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
    }
}
