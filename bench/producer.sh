#!/usr/bin/env bash
# Producer benchmarks (see bench/src/main/java/io/pgkb/bench/producer/ProducerBench.java).
# Sizes: ROWS (throughput workload, default 200000), BIG_ROWS (one transaction, default 2000000),
# PGBENCH_SECONDS (default 30; needs the pgbench binary, e.g. Debian's postgresql-contrib).
# ROUNDS (throughput rounds, default 2: cold, then warm). KAFKA_CONFIG: k=v,k=v added to the producer's Kafka
# client properties, as --kafka-config would. JAVA_OPTS: extra options of the benchmark JVM (e.g. a JFR recording); the build runs niced, the benchmark does not.
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor build: the classpath points at this tree's jars, not at whatever ~/.m2 holds
# SKIP_BUILD=1 reuses the last build (build outside the benchmark lock, then run under it)
if [ -z "${SKIP_BUILD:-}" ]; then
  nice -n 10 mvn -B -q -o package dependency:build-classpath -DskipTests -pl bench -am -Dmdep.outputFile=target/bench.classpath
fi
cat > bench/target/bench-logback.xml <<'XML'
<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.kafka" level="WARN"/>
  <logger name="io.zonky" level="WARN"/>
  <root level="INFO"><appender-ref ref="OUT"/></root>
</configuration>
XML
source bench/jvm-options.sh
exec java "${jvm_defaults[@]}" -Xmx1g ${JAVA_OPTS:-} -Dlogback.configurationFile=bench/target/bench-logback.xml \
  -Drows="${ROWS:-200000}" -DbigRows="${BIG_ROWS:-2000000}" -DpgbenchSeconds="${PGBENCH_SECONDS:-30}" -Drounds="${ROUNDS:-2}" -DkafkaConfig="${KAFKA_CONFIG:-}" \
  -cp "bench/target/classes:$(cat bench/target/bench.classpath)" io.pgkb.bench.producer.ProducerBench
