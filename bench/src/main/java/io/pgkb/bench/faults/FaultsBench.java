package io.pgkb.bench.faults;

import io.pgkb.testkit.LocalKafka;
import io.pgkb.testkit.LocalPostgres;
import io.pgkb.testkit.LocalS3;
import io.pgkb.testkit.faults.CampaignFigures;
import io.pgkb.testkit.faults.CampaignStore;
import io.pgkb.testkit.faults.Commands;
import io.pgkb.testkit.faults.FaultCampaign;
import io.pgkb.testkit.faults.FaultPlan;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The fault campaign of issue 16 §1 run by hand ({@code bench/faults.sh [seed]}): PostgreSQL, a Kafka broker and
 * S3Proxy from the test kit, the archive in S3, the producer and two archivers from {@code cli/target/pgkb.jar};
 * {@code -Dfaults.plan=brief} runs the short CI plan instead of the full one. Prints the figures table.
 */
public final class FaultsBench {
    private FaultsBench() {
    }

    public static void main(String[] args) throws Exception {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        FaultPlan plan = "brief".equals(System.getProperty("faults.plan")) ? FaultPlan.brief(seed) : FaultPlan.full(seed);
        Path work = Files.createTempDirectory("pgkb-faults-");
        // a copy: a build during the campaign must not rewrite the jar the next restart reads
        Path jar = Files.copy(Paths.get(System.getProperty("pgkb.jar", "cli/target/pgkb.jar")), work.resolve("pgkb.jar"));
        String loadBefore = load();
        System.out.printf("faults: load average before: %s; pgkb jar %s%n", loadBefore, jar);
        try (LocalPostgres pg = LocalPostgres.start(); LocalKafka kafka = LocalKafka.start(); LocalS3 s3 = LocalS3.start()) {
            s3.createBucket("faults");
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                    "AWS_REGION", s3.region());
            CampaignStore store = new CampaignStore("s3://faults/archive",
                    List.of("--s3-endpoint", s3.endpoint().toString(), "--s3-path-style", "--s3-region", s3.region()),
                    env, s3::stop, s3::startAgain);
            Path commandLog = work.resolve("commands.log");
            Commands commands = a -> runJar(jar, env, a, commandLog);
            CampaignFigures f = new FaultCampaign(plan, pg, kafka, store, jar, work, commands).run();
            System.out.printf("%nfaults: figures (load average before %s, after %s)%n%n%s%n", loadBefore, load(), f.table());
            System.out.println(f.passed() ? "faults: PASSED: 0 rows lost, every table md5-equal, verify 0"
                    : "faults: FAILED (seed " + seed + "): see the table; logs in " + work);
            System.exit(f.passed() ? 0 : 1);
        }
    }

    private static int runJar(Path jar, Map<String, String> env, List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
