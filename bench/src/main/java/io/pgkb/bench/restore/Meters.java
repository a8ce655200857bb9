package io.pgkb.bench.restore;

import io.pgkb.testkit.LocalPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** The restore benchmark's meters besides the clock: CPU of this JVM's GC and of the PostgreSQL server, heap peaks. */
final class Meters {
    private Meters() {
    }

    /**
     * CPU of the server so far, in ms: the postmaster and every process under it, alive (from /proc) or ended
     * (counted into its parent's children times when reaped). Linux only; -1 elsewhere.
     */
    static long serverCpuMillis(LocalPostgres pg) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid")).get(0).strip());
            return cpuTicks(postmaster, true) * 1000 / 100; // USER_HZ is 100 on Linux
        } catch (Exception e) {
            return -1;
        }
    }

    /** utime + stime + cutime + cstime of {@code pid}, plus (with {@code tree}) those of its live children. */
    private static long cpuTicks(long pid, boolean tree) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        if (tree) {
            Path children = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
            for (String child : Files.readString(children).trim().split("\\s+")) {
                if (!child.isEmpty()) {
                    try {
                        ticks += cpuTicks(Long.parseLong(child), false);
                    } catch (IOException gone) {
                        // ended meanwhile: counted in the postmaster's children times once reaped
                    }
                }
            }
        }
        return ticks;
    }

    /**
     * Heap in use right after each garbage collection during the restore (the live set plus what the collector left),
     * the most of it: what the restore needs, unlike the pools' peaks, which count garbage not yet collected.
     */
    static final class AfterGc implements javax.management.NotificationListener {
        private final AtomicLong max = new AtomicLong();
        private final AtomicLong count = new AtomicLong();
        private volatile boolean on = true;

        AfterGc() {
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((javax.management.NotificationEmitter) gc).addNotificationListener(this, null, null);
            }
        }

        @Override
        public void handleNotification(javax.management.Notification n, Object handback) {
            if (!on || !n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                return;
            }
            var info = com.sun.management.GarbageCollectionNotificationInfo.from((javax.management.openmbean.CompositeData) n.getUserData());
            long used = 0;
            for (java.lang.management.MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                used += u.getUsed();
            }
            // the non-heap pools (metaspace, code cache) are in the map too: count heap pools only
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() != MemoryType.HEAP && info.getGcInfo().getMemoryUsageAfterGc().containsKey(p.getName())) {
                    used -= info.getGcInfo().getMemoryUsageAfterGc().get(p.getName()).getUsed();
                }
            }
            max.accumulateAndGet(used, Math::max);
            count.incrementAndGet();
        }

        void stop() {
            on = false;
        }

        long max() {
            return max.get();
        }

        long count() {
            return count.get();
        }
    }

    static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    static void resetPeak() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
    }

    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
