#!/usr/bin/env bash
# One archiver vs the Kafka producer on the same change records, archive size vs Kafka size, heap with 200
# open partitions at -Xmx512m (see docs/archiver.md). Arguments go to ArchiverBench: [records] [partitions]
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor run, so the class path points at this tree's modules, not at whatever ~/.m2 holds
mvn -B -q ${MVN_OPTS:-} package dependency:build-classpath -Dmaven.test.skip=true -pl bench -am -Dmdep.outputFile=target/classpath.txt
exec java -Xmx512m ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.pgkb.bench.archiver.ArchiverBench "$@"
