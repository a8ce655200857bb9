#!/usr/bin/env bash
# Restore benchmark: bench/restore.sh [rows] [changes] [hotKeys] [replayChanges]
# Builds the needed modules, then runs io.pgkb.bench.restore.RestoreBench with a 512 MiB heap.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl bench -am
CP=$(mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
exec java -Xmx512m -cp "bench/target/classes:$CP" io.pgkb.bench.restore.RestoreBench "$@"
