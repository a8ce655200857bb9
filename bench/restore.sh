#!/usr/bin/env bash
# Restore benchmark: bench/restore.sh [rows] [changes] [hotKeys] [replayChanges] [batchKeys]
# Builds the needed modules (niced, offline) in one reactor run, so the class path points at this tree's modules and
# nothing is installed into ~/.m2 (another tree's build would pick up unfinished jars), then runs
# io.pgkb.bench.restore.RestoreBench with a 512 MiB heap and pgkb's JVM options (bench/jvm-options.sh), as pgkb runs
# (JAVA_OPTS adds JVM options, e.g. -Dindexes=true or a JFR recording; one choosing a collector replaces only the
# collector).
set -euo pipefail
cd "$(dirname "$0")/.."
# SKIP_BUILD=1 reuses the last build (a series of runs builds once)
if [ -z "${SKIP_BUILD:-}" ]; then
  nice -n 10 mvn -B -q -o package dependency:build-classpath -DskipTests -pl bench -am -Dmdep.outputFile=target/classpath.txt
fi
source bench/jvm-options.sh
exec java "${jvm_defaults[@]}" -Xmx512m ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.pgkb.bench.restore.RestoreBench "$@"
