package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgkb.schemas.config.PgUrl;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * No Docker engine runs the demo stack in CI, so its wiring is checked here: every pgkb command in
 * docker-compose.yml parses against the real command line, and hosts, ports and credentials agree between the
 * services that must find each other.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static JsonNode services;

    @BeforeAll
    static void parse() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.get("services");
        assertThat(services).as("services").isNotNull();
    }

    private static List<String> list(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null) {
            n.forEach(e -> out.add(e.asText()));
        }
        return out;
    }

    private static Map<String, String> env(String service) {
        Map<String, String> out = new HashMap<>();
        JsonNode e = services.get(service).get("environment");
        if (e != null) {
            e.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
        }
        return out;
    }

    /** Services running the pgkb image, with their command lines. */
    private static Map<String, List<String>> pgkbServices() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        services.fields().forEachRemaining(s -> {
            JsonNode image = s.getValue().get("image");
            if (image != null && image.asText().startsWith("pgkb:")) {
                out.put(s.getKey(), list(s.getValue().get("command")));
            }
        });
        return out;
    }

    /** Option name -> value as given, for one service's command (last occurrence wins, as in picocli). */
    private static Map<String, String> options(List<String> command) {
        ParseResult pr = Main.commandLine().parseArgs(command.toArray(String[]::new));
        Map<String, String> out = new HashMap<>();
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            for (OptionSpec o : p.matchedOptions()) {
                List<String> v = o.originalStringValues();
                out.put(o.longestName(), v.isEmpty() ? "true" : v.get(v.size() - 1));
            }
        }
        return out;
    }

    @Test
    void theStackHasEveryPart() {
        assertThat(services.fieldNames()).toIterable().contains("postgres", "kafka", "minio", "producer", "archiver", "kafka-ui");
        assertThat(services.get("postgres").get("image").asText()).startsWith("postgres:17");
        assertThat(services.get("kafka").get("image").asText()).startsWith("apache/kafka:");
        assertThat(services.get("archiver").at("/deploy/replicas").asInt()).as("archiver replicas").isEqualTo(2);
        assertThat(services.get("producer").get("build")).as("producer builds the pgkb image").isNotNull();
    }

    @Test
    void everyPgkbCommandParsesAgainstTheRealCommandLine() {
        Map<String, List<String>> pgkb = pgkbServices();
        assertThat(pgkb).containsKeys("producer", "archiver");
        for (var e : pgkb.entrySet()) {
            try {
                ParseResult pr = Main.commandLine().parseArgs(e.getValue().toArray(String[]::new));
                assertThat(pr.errors()).as(e.getKey()).isEmpty();
            } catch (CommandLine.ParameterException ex) {
                fail("service " + e.getKey() + ": pgkb " + String.join(" ", e.getValue()) + " -> " + ex.getMessage());
            }
        }
        assertThat(pgkb.get("producer").get(0)).isEqualTo("produce");
        assertThat(pgkb.get("archiver").get(0)).isEqualTo("archive");
    }

    @Test
    void postgresRunsWithLogicalDecoding() {
        String cmd = String.join(" ", list(services.get("postgres").get("command")));
        assertThat(cmd).contains("wal_level=logical").contains("max_replication_slots=").contains("max_slot_wal_keep_size=");
    }

    @Test
    void bootstrapServersMatchTheBrokersAdvertisedListener() {
        Map<String, String> kafkaEnv = env("kafka");
        Set<String> advertised = new HashSet<>();
        for (String l : kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
            // NAME://host:port; listener names may hold '_', which java.net.URI rejects in a scheme
            advertised.add(l.strip().substring(l.strip().indexOf("://") + 3));
        }
        Set<String> listenerPorts = new HashSet<>();
        for (String l : kafkaEnv.get("KAFKA_LISTENERS").split(",")) {
            listenerPorts.add(l.substring(l.lastIndexOf(':') + 1));
        }
        for (var e : pgkbServices().entrySet()) {
            String servers = options(e.getValue()).get("--bootstrap-servers");
            if (servers == null) {
                continue;
            }
            for (String hostPort : servers.split(",")) {
                assertThat(advertised).as(e.getKey() + " --bootstrap-servers " + hostPort).contains(hostPort.strip());
                assertThat(hostPort).as(e.getKey() + ": containers reach the broker by its service name").startsWith("kafka:");
                assertThat(listenerPorts).contains(hostPort.substring(hostPort.indexOf(':') + 1));
            }
        }
        assertThat(advertised).contains(env("kafka-ui").get("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"));
        // the host-side listener must be published on the same port
        for (String a : advertised) {
            if (a.startsWith("localhost:")) {
                String port = a.substring("localhost:".length());
                assertThat(list(services.get("kafka").get("ports"))).contains(port + ":" + port);
            }
        }
    }

    @Test
    void postgresUrlsPointAtThePostgresServiceWithItsCredentials() {
        Map<String, String> pgEnv = env("postgres");
        int checked = 0;
        for (var e : pgkbServices().entrySet()) {
            String url = options(e.getValue()).get("--pg");
            if (url == null) {
                continue;
            }
            Map<String, String> svcEnv = env(e.getKey());
            PgUrl pg = PgUrl.parse(url, svcEnv);
            assertThat(pg.host()).as(e.getKey()).isEqualTo("postgres");
            assertThat(pg.port()).as(e.getKey()).isEqualTo(5432);
            assertThat(pg.database()).as(e.getKey()).isEqualTo(pgEnv.get("POSTGRES_DB"));
            assertThat(pg.user()).as(e.getKey()).isEqualTo(pgEnv.get("POSTGRES_USER"));
            assertThat(pg.properties().getProperty("password")).as(e.getKey() + " password (PGPASSWORD)").isEqualTo(pgEnv.get("POSTGRES_PASSWORD"));
            assertThat(url).as(e.getKey() + ": the password stays out of the command line").doesNotContain(pgEnv.get("POSTGRES_PASSWORD"));
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
    }

    @Test
    void archiveStoreIsTheBucketMinioSetupCreatesWithMinioCredentials() {
        Map<String, String> minioEnv = env("minio");
        String setup = String.join(" ", list(services.get("minio-setup").get("entrypoint")));
        Map<String, String> archiver = options(pgkbServices().get("archiver"));
        URI store = URI.create(archiver.get("--store"));
        assertThat(store.getScheme()).isEqualTo("s3");
        assertThat(setup).contains("mb --ignore-existing demo/" + store.getHost());
        URI endpoint = URI.create(archiver.get("--s3-endpoint"));
        assertThat(endpoint.getHost()).isEqualTo("minio");
        assertThat(endpoint.getPort()).isEqualTo(9000);
        assertThat(list(services.get("minio").get("ports"))).contains("9000:9000");
        assertThat(archiver).as("MinIO without MINIO_DOMAIN serves path-style requests only").containsKey("--s3-path-style");
        Map<String, String> archiverEnv = env("archiver");
        assertThat(archiverEnv.get("AWS_ACCESS_KEY_ID")).isEqualTo(minioEnv.get("MINIO_ROOT_USER"));
        assertThat(archiverEnv.get("AWS_SECRET_ACCESS_KEY")).isEqualTo(minioEnv.get("MINIO_ROOT_PASSWORD"));
        assertThat(setup).contains(minioEnv.get("MINIO_ROOT_USER") + " " + minioEnv.get("MINIO_ROOT_PASSWORD"));
    }

    @Test
    void theRestoreTestJobRunsTheShippedScriptOnTheArchiversStoreIntoAScratchDatabase() throws Exception {
        JsonNode job = services.get("restore-test");
        assertThat(list(job.get("profiles"))).containsExactly("restore-test");
        assertThat(list(job.get("entrypoint"))).containsExactly("/opt/pgkb/restore-test.sh");
        assertThat(Files.readString(ROOT.resolve("Dockerfile"))).contains("COPY --chmod=755 cli/restore-test.sh /opt/pgkb/restore-test.sh");
        Map<String, String> e = env("restore-test");
        Map<String, String> archiver = options(pgkbServices().get("archiver"));
        assertThat(e.get("PGKB_STORE")).isEqualTo(archiver.get("--store"));
        // the options as the script passes them to verify and restore
        List<String> verify = new ArrayList<>(List.of("verify", "--json", "--store", e.get("PGKB_STORE")));
        verify.addAll(List.of(e.get("PGKB_STORE_OPTIONS").split(" ")));
        Map<String, String> v = options(verify);
        assertThat(v.get("--s3-endpoint")).isEqualTo(archiver.get("--s3-endpoint"));
        assertThat(v).containsKey("--s3-path-style");
        Map<String, String> minioEnv = env("minio");
        assertThat(e.get("AWS_ACCESS_KEY_ID")).isEqualTo(minioEnv.get("MINIO_ROOT_USER"));
        assertThat(e.get("AWS_SECRET_ACCESS_KEY")).isEqualTo(minioEnv.get("MINIO_ROOT_PASSWORD"));
        PgUrl target = PgUrl.parse(e.get("PGKB_TARGET"), e);
        Map<String, String> pgEnv = env("postgres");
        assertThat(target.host()).isEqualTo("postgres");
        assertThat(target.database()).as("a scratch database, not the captured one").isNotEqualTo(pgEnv.get("POSTGRES_DB"));
        assertThat(target.properties().getProperty("password")).isEqualTo(pgEnv.get("POSTGRES_PASSWORD"));
        assertThat(list(services.get("restore-test-db").get("entrypoint")).get(2)).contains("CREATE DATABASE " + target.database());
        assertThat(services.get("restore-test").at("/depends_on/restore-test-db/condition").asText()).isEqualTo("service_completed_successfully");
    }

    @Test
    void dependenciesNameExistingServicesAndHostPortsDoNotClash() {
        Set<String> hostPorts = new HashSet<>();
        services.fields().forEachRemaining(s -> {
            JsonNode deps = s.getValue().get("depends_on");
            if (deps != null) {
                deps.fieldNames().forEachRemaining(d -> assertThat(services.has(d)).as(s.getKey() + " depends on " + d).isTrue());
            }
            for (String p : list(s.getValue().get("ports"))) {
                String host = p.substring(0, p.indexOf(':'));
                assertThat(hostPorts.add(host)).as("host port " + host + " published twice").isTrue();
            }
            if (s.getValue().at("/deploy/replicas").asInt(1) > 1) {
                assertThat(s.getValue().get("ports")).as(s.getKey() + ": replicas cannot share a host port").isNull();
            }
        });
        // metrics ports given to pgkb are the ones published (or unpublished for replicas)
        Map<String, String> producer = options(pgkbServices().get("producer"));
        assertThat(list(services.get("producer").get("ports"))).contains(producer.get("--metrics-port") + ":" + producer.get("--metrics-port"));
    }

    @Test
    void dockerfileBuildsTheJarTheLauncherBuildsAndRunsItAsEntrypoint() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        String launcher = Files.readString(ROOT.resolve("pgkb"));
        assertThat(dockerfile).contains("mvn -B -q -DskipTests package -pl cli -am");
        assertThat(launcher).contains("mvn -B -q -DskipTests package -pl cli -am");
        assertThat(dockerfile).contains("COPY --from=build /src/cli/target/pgkb.jar /opt/pgkb/pgkb.jar");
                assertThat(dockerfile).contains("FROM eclipse-temurin:17-jre");
        // one set of JVM options for the launcher, the image and the benchmarks, chosen by one script: what is
        // measured is what runs (JvmOptionsTest runs that script and the image's entrypoint)
        assertThat(Files.readString(ROOT.resolve("cli/jvm-gc.options"))).contains("-XX:+UseParallelGC");
        assertThat(dockerfile).contains("COPY cli/jvm.options cli/jvm-gc.options cli/jvm-options.sh /opt/pgkb/")
                .contains("COPY --chmod=755 cli/docker-entrypoint.sh /opt/pgkb/entrypoint.sh")
                .contains("ENTRYPOINT [\"/opt/pgkb/entrypoint.sh\"]");
        assertThat(launcher).contains("source \"$root/cli/jvm-options.sh\"").contains("exec java \"${jvm_defaults[@]}\"");
        assertThat(Files.readString(ROOT.resolve("bench/jvm-options.sh"))).contains("source cli/jvm-options.sh");
        for (String bench : List.of("restore", "producer", "dump", "archiver")) {
            assertThat(Files.readString(ROOT.resolve("bench/" + bench + ".sh"))).as(bench)
                    .contains("source bench/jvm-options.sh").contains("exec java \"${jvm_defaults[@]}\"");
        }
    }
}
