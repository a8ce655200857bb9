package io.pgkb.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of a child broker JVM: runs the given main class and halts the JVM when stdin reaches
 * end of file, which happens when the parent JVM dies (even by SIGKILL), so no broker is left behind.
 */
public final class KafkaChildMain {
    private KafkaChildMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(KafkaChildMain::haltWhenParentGone, "pgkb-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
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
