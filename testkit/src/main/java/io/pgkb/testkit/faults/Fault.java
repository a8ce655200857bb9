package io.pgkb.testkit.faults;

/** What a fault campaign injects (issue 16 §1), and the workload events it places among the faults. */
public enum Fault {
    PRODUCER_KILL("kill -9 producer"),
    ARCHIVER_KILL("kill -9 archiver"),
    BROKER_RESTART("Kafka broker stop/start"),
    PG_RESTART("PostgreSQL immediate restart"),
    S3_OUTAGE("object store unreachable"),
    SPOOL_FULL("archiver spool directory full"),
    DUMP("pgkb dump during the storm");

    private final String label;

    Fault(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
