#!/usr/bin/env bash
# Restore benchmark: bench/restore.sh [rows] [changes] [hotKeys] [replayChanges] [batchKeys]
# Builds the needed modules (niced, offline), then runs io.pgkb.bench.restore.RestoreBench with a 512 MiB heap
# and pgkb's JVM options (bench/jvm-options.sh), as pgkb runs (JAVA_OPTS adds JVM options, e.g. a JFR recording; one choosing a collector
# replaces only the collector).
set -euo pipefail
cd "$(dirname "$0")/.."
nice -n 10 mvn -B -q -o install -DskipTests -pl bench -am
CP=$(nice -n 10 mvn -B -q -o -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
source bench/jvm-options.sh
exec java "${jvm_defaults[@]}" -Xmx512m ${JAVA_OPTS:-} -cp "bench/target/classes:$CP" io.pgkb.bench.restore.RestoreBench "$@"
