package io.pgkb.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
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
        Thread watchdog = new Thread(KafkaChildMain::haltWhenParentGone, "pgkb-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
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

    private static void haltWhenParentGone() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the parent never writes; reading just blocks until the pipe closes
            }
        } catch (IOException ignored) {
            // a broken pipe means the same as end of file
        }
        Runtime.getRuntime().halt(137);
    }
}
