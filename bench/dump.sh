#!/usr/bin/env bash
# Dump throughput vs plain COPY of the same table (see docs/dumps.md). Arguments go to DumpBench:
#   bench/dump.sh [--rows N] [--repeat N] [--zstd-level N] [--store DIR] [--pg URL]
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor run, so the class path points at this tree's modules, not at whatever ~/.m2 holds
mvn -B -q ${MVN_OPTS:-} package dependency:build-classpath -DskipTests -pl bench -am -Dmdep.outputFile=target/classpath.txt
source bench/jvm-options.sh
exec java "${jvm_defaults[@]}" -Xmx512m ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.pgkb.bench.dump.DumpBench "$@"
