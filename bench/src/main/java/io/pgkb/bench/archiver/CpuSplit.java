package io.pgkb.bench.archiver;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where the CPU of a measured phase went, per thread group of this JVM as Linux names its threads
 * ({@code /proc/self/task/}: the poll thread, segment builders, uploads, but also GC and JIT compiler threads, which
 * Java's own thread list does not show), and in the child processes (the broker). On 2 shared cores this shows
 * which side is busy and how much is left idle. Threads that ended in between are counted under "ended".
 */
final class CpuSplit {
    private static final double TICK_NANOS = 1e9 / 100; // USER_HZ: 100 on Linux
    private final Map<String, Long> threadStart = threadTicks();
    private final long processStart = processCpu();
    private final long childrenStart = childrenCpu();
    private final long wallStart = System.nanoTime();

    /** One line: wall time, then CPU seconds per group and in total (this JVM and its children). */
    String report() {
        long wall = System.nanoTime() - wallStart;
        Map<String, Double> byGroup = new TreeMap<>();
        double threads = 0;
        for (Map.Entry<String, Long> e : threadTicks().entrySet()) {
            double used = (e.getValue() - threadStart.getOrDefault(e.getKey(), 0L)) * TICK_NANOS;
            threads += used;
            String name = e.getKey().substring(e.getKey().indexOf(' ') + 1);
            byGroup.merge(name.replaceAll("[-#]?\\d+$", "").replaceAll("\\d", ""), used, Double::sum);
        }
        long process = processCpu() - processStart;
        StringBuilder s = new StringBuilder(String.format("wall %.2f s; CPU s:", wall / 1e9));
        byGroup.entrySet().stream().filter(e -> e.getValue() >= wall / 50.0)
                .forEach(e -> s.append(String.format(" %s %.2f,", e.getKey(), e.getValue() / 1e9)));
        s.append(String.format(" ended or small %.2f; JVM %.2f = %.2f cores; broker %.2f", (process - threads) / 1e9
                        + byGroup.values().stream().filter(v -> v < wall / 50.0).mapToDouble(v -> v / 1e9).sum(),
                process / 1e9, (double) process / wall, (childrenCpu() - childrenStart) / 1e9));
        return s.toString();
    }

    /** "tid name" → utime + stime in clock ticks, for every thread of this process. */
    private static Map<String, Long> threadTicks() {
        Map<String, Long> m = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    // after "pid (comm) ": state is field 3 of stat(5), utime 14 and stime 15
                    m.put(t.getFileName() + " " + stat.substring(open + 1, close), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException e) {
                    // the thread ended while listed
                }
            }
        } catch (IOException e) {
            // not Linux: only the totals are reported
        }
        return m;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long childrenCpu() {
        return ProcessHandle.current().descendants().mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }
}
