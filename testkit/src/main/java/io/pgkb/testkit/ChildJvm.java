package io.pgkb.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * What the JVMs tests start (the Kafka broker, S3Proxy, a Kafka Connect worker, pgkb's jar, a producer or archiver
 * main) share: their options, the java command of this JVM's runtime, a log configuration for Kafka's code (logback
 * and log4j2), and a watchdog in the child that halts it when its parent is gone, so a parent killed even by SIGKILL
 * leaves no child behind.
 */
public final class ChildJvm {
    /**
     * The options of every JVM a test starts, as of the test JVMs themselves (the parent pom's {@code test.argLine}):
     * C1 only and the serial collector. These JVMs live seconds on CI's 2 cores, where C2 compiling and G1's threads
     * cost more CPU than they return. The heap size is each caller's.
     */
    public static final List<String> OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private ChildJvm() {
    }

    /** {@code java OPTIONS} of this JVM's runtime (default heap); add {@code -cp}/{@code -jar}, the main class, its arguments. */
    public static List<String> java() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(OPTIONS);
        return cmd;
    }

    /** {@code java -Xmx<maxHeap> OPTIONS} of this JVM's runtime; add {@code -cp}/{@code -jar}, the main class, its arguments. */
    public static List<String> java(String maxHeap) {
        List<String> cmd = java();
        cmd.add(1, "-Xmx" + maxHeap);
        return cmd;
    }

    /** {@link #OPTIONS} with a heap size, as one string (for options that are passed as text). */
    public static String options(String maxHeap) {
        return "-Xmx" + maxHeap + " " + String.join(" ", OPTIONS);
    }

    /** {@code java <options> -Dlogback... -Dlog4j2... -cp <classPath>}; add the main class and its arguments. */
    public static List<String> javaCommand(String jvmOptions, Path logConfig, String classPath) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        String options = jvmOptions.strip();
        if (!options.isEmpty()) {
            cmd.addAll(List.of(options.split("\\s+")));
        }
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dlogback.configurationFile=" + logConfig);
        cmd.add("-Dlog4j2.configurationFile=" + logConfig.resolveSibling("log4j2.properties"));
        cmd.add("-cp");
        cmd.add(classPath);
        return cmd;
    }

    /** Writes {@code logback.xml} and {@code log4j2.properties} (console, Kafka clients at WARN) into the directory. */
    public static Path writeLogConfig(Path directory) throws IOException {
        Path logback = directory.resolve("logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.kafka" level="INFO"/>
                  <logger name="kafka" level="INFO"/>
                  <logger name="state.change.logger" level="WARN"/>
                  <logger name="org.apache.kafka.clients" level="WARN"/>
                  <logger name="org.eclipse.jetty" level="WARN"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """, StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("log4j2.properties"), """
                rootLogger.level=INFO
                rootLogger.appenderRef.out.ref=OUT
                appender.out.type=Console
                appender.out.name=OUT
                appender.out.layout.type=PatternLayout
                appender.out.layout.pattern=%d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %m%n
                """, StandardCharsets.UTF_8);
        return logback;
    }

    /**
     * In the child: starts a daemon thread that halts this JVM when stdin reaches end of file, which happens when
     * the parent (holding the other end of the pipe, and never writing) dies.
     */
    public static void haltWhenParentGone() {
        Thread watchdog = new Thread(() -> {
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
        }, "pgkb-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
