package io.pgkb.cli;

import io.pgkb.testkit.ChildJvm;
import org.apache.kafka.connect.cli.ConnectStandalone;

/**
 * Entry point of a child JVM running Kafka's own standalone Connect worker ({@code <worker.properties>
 * <connector.properties>}), as {@code connect-standalone.sh} would; it halts when the parent JVM is gone.
 */
public final class ConnectChildMain {
    private ConnectChildMain() {
    }

    public static void main(String[] args) {
        ChildJvm.haltWhenParentGone();
        ConnectStandalone.main(args);
    }
}
