package io.pgkb.testkit.faults;

import io.pgkb.testkit.ChildJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How many faults of each kind a campaign injects, how long outages last, and the pace of the workload. Every random
 * choice of a campaign (order of faults, pauses between them, which archiver is killed) comes from {@code seed}, so a
 * seed names one campaign; what the machine does meanwhile (load, timings) is not reproducible.
 *
 * @param gapMin        least pause between two faults (random moments: uniform between the two)
 * @param outage        how long the object store is unreachable and the spool stays full
 * @param brokerDown    how long the broker stays stopped
 * @param sessions      concurrent workload sessions
 * @param txPause       pause of each session after a transaction (the workload's pace)
 * @param jvmOptions    of the producer's and the archivers' JVMs
 * @param archiverSessionTimeout the archivers' consumer {@code session.timeout.ms} (null: Kafka's 45 s), the time a
 *                      killed archiver's partitions wait for the group to notice
 */
public record FaultPlan(long seed, Map<Fault, Integer> counts, Duration gapMin, Duration gapMax, Duration outage,
                        Duration brokerDown, int sessions, Duration txPause, List<String> jvmOptions,
                        Duration archiverSessionTimeout) {

    public FaultPlan {
        counts = Map.copyOf(counts);
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** The full campaign of issue 16 §1 (bench/faults.sh). */
    public static FaultPlan full(long seed) {
        Map<Fault, Integer> c = new EnumMap<>(Fault.class);
        c.put(Fault.PRODUCER_KILL, 10);
        c.put(Fault.ARCHIVER_KILL, 10);
        c.put(Fault.BROKER_RESTART, 3);
        c.put(Fault.PG_RESTART, 3);
        c.put(Fault.S3_OUTAGE, 2);
        c.put(Fault.SPOOL_FULL, 1);
        c.put(Fault.DUMP, 1);
        return new FaultPlan(seed, c, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(5), 3, Duration.ofMillis(20), List.of("-Xmx256m", "-XX:+UseSerialGC"), null);
    }

    /** One fault of each kind that needs no object store, short outages, a small workload (the CI variant). */
    public static FaultPlan brief(long seed) {
        Map<Fault, Integer> c = new EnumMap<>(Fault.class);
        c.put(Fault.PRODUCER_KILL, 1);
        c.put(Fault.ARCHIVER_KILL, 1);
        c.put(Fault.BROKER_RESTART, 1);
        c.put(Fault.PG_RESTART, 1);
        c.put(Fault.SPOOL_FULL, 1);
        c.put(Fault.DUMP, 1);
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(ChildJvm.OPTIONS); // C1 only: short-lived JVMs start faster
        return new FaultPlan(seed, c, Duration.ofMillis(200), Duration.ofMillis(1000), Duration.ofSeconds(2),
                Duration.ofSeconds(1), 2, Duration.ofMillis(30), jvm,
                Duration.ofSeconds(6)); // the broker's minimum: the CI run does not wait 45 s for a killed archiver
    }

    public int count(Fault f) {
        return counts.getOrDefault(f, 0);
    }

    /** The same plan without the faults that need an object store (a directory store has no outage). */
    public FaultPlan withoutObjectStore() {
        Map<Fault, Integer> c = new EnumMap<>(Fault.class);
        c.putAll(counts);
        c.remove(Fault.S3_OUTAGE);
        return new FaultPlan(seed, c, gapMin, gapMax, outage, brokerDown, sessions, txPause, jvmOptions, archiverSessionTimeout);
    }
}
