#!/usr/bin/env bash
# Producer rows/s in registry mode ÷ native mode (bench/src/main/java/io/pgkb/bench/producer/RegistryModeBench.java).
# ROWS (default 100000), ROUNDS (default 4, alternating the modes). Needs a Java 21+ runtime for the registry
# (see .ci/java21.sh). Builds the reactor into target/ only (no install), then runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  nice -n 10 mvn -B -q -o package dependency:build-classpath -DskipTests -pl bench -am -Dmdep.outputFile=target/bench.classpath
fi
source bench/jvm-options.sh
exec java "${jvm_defaults[@]}" -Xmx1g ${JAVA_OPTS:-} -Drows="${ROWS:-100000}" -Drounds="${ROUNDS:-4}" \
  -cp "bench/target/classes:$(cat bench/target/bench.classpath)" io.pgkb.bench.producer.RegistryModeBench
