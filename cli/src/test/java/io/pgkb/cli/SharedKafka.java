package io.pgkb.cli;

import io.pgkb.testkit.LocalKafka;

/**
 * One real broker for all ITs of this module in one JVM: starting one costs ~20 s on a busy machine. Tests
 * isolate themselves by topic prefix. The broker's child JVM dies with this one (LocalKafka's shutdown hook).
 */
final class SharedKafka {
    private static LocalKafka kafka;

    private SharedKafka() {
    }

    static synchronized LocalKafka get() {
        if (kafka == null || !kafka.isRunning()) {
            kafka = LocalKafka.start();
        }
        return kafka;
    }
}
