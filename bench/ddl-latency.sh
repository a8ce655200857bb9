#!/usr/bin/env bash
# DDL latency with the DDL-capture event trigger ÷ without (see docs/benchmarks.md). Arguments go to DdlLatencyBench:
#   bench/ddl-latency.sh [--rounds N] [--ops N] [--rows N] [--pg JDBC-URL]
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor run, so the class path points at this tree's modules, not at whatever ~/.m2 holds
mvn -B -q ${MVN_OPTS:-} package dependency:build-classpath -DskipTests -pl bench -am -Dmdep.outputFile=target/classpath.txt
source bench/jvm-options.sh
exec java "${jvm_defaults[@]}" -Xmx256m ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.pgkb.bench.ddl.DdlLatencyBench "$@"
