#!/usr/bin/env bash
# Producer restart timing (docs/benchmarks.md › Producer restart): kill -9 and restart of `pgkb produce` under the
# fault campaign's workload, alternating between the jars given, each line of the new process at its offset.
# Usage: bench/restart.sh ROUNDS LABEL=JAR [LABEL=JAR...]   e.g. bench/restart.sh 4 before=/tmp/old.jar after=cli/target/pgkb.jar
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OPTS:-} package dependency:build-classpath -Dmaven.test.skip=true -pl bench -am -Dmdep.outputFile=target/classpath.txt
source bench/copied-classpath.sh pgkb-restarts-classes
exec java -Xmx512m ${JAVA_OPTS:-} -cp "$cp" io.pgkb.bench.faults.RestartBench "$@"
