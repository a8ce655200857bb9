package io.pgkb.testkit.internal;

import io.pgkb.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Entry point of a child broker JVM: {@code <config> <log dir> <cluster id>}. Formats the storage with
 * Kafka's storage tool when the log dir is new, then runs {@code kafka.Kafka}; both in one JVM, which halves
 * the start time on a busy machine. Halts when stdin reaches end of file, which happens when the parent JVM
 * dies (even by SIGKILL), so no broker is left behind.
 */
public final class KafkaChildMain {
    private KafkaChildMain() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.haltWhenParentGone();
        String config = args[0];
        Path logDir = Paths.get(args[1]);
        String clusterId = args[2];
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            int rc = kafka.tools.StorageTool.execute(
                    new String[] {"format", "--ignore-formatted", "-t", clusterId, "-c", config}, System.out);
            if (rc != 0) {
                System.out.println("pgkb: storage format failed with exit code " + rc);
                Runtime.getRuntime().halt(rc);
            }
        }
        kafka.Kafka.main(new String[] {config});
    }
}
