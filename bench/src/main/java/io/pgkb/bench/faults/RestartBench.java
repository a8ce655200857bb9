package io.pgkb.bench.faults;

import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.pgkb.testkit.faults.ProducerRestarts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Producer kill -9 and restart under the campaign's workload, timed ({@code bench/restart.sh ROUNDS LABEL=JAR...}):
 * each round restarts the producer once with every jar given, so two builds are compared in one sitting.
 */
public final class RestartBench {
    private RestartBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        Path work = Files.createTempDirectory("pgkb-restarts-");
        Map<String, Path> jars = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            // a copy: a build meanwhile must not rewrite the jar the next restart reads
            jars.put(kv[0], Files.copy(Paths.get(kv[1]), work.resolve(kv[0] + ".jar")));
        }
        System.out.printf("restarts: load average before: %s; work %s%n", Files.readString(Path.of("/proc/loadavg")).trim(), work);
        try (LocalPostgres pg = LocalPostgres.start(); LocalKafka kafka = LocalKafka.start()) {
            new ProducerRestarts(pg, kafka, jars, work, List.of("-Xmx256m", "-XX:+UseSerialGC")).run(rounds);
        }
        System.out.printf("restarts: load average after: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    }
}
