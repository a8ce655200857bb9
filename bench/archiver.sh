#!/usr/bin/env bash
# One archiver vs pgkb's producer on the same change records of pgbench + orders tables (real PostgreSQL), and vs a
# bare KafkaProducer loop on synthetic rows; archive size vs Kafka size; heap with 200 open partitions at -Xmx512m
# (see docs/archiver.md). Arguments go to ArchiverBench: [pgbench scale, 0 skips] [synthetic records] [partitions].
# JAVA_OPTS=-Dsweep=true adds the codec sweep; -Dconsumer.X=V sets archiver consumer properties.
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor run, so the class path points at this tree's modules, not at whatever ~/.m2 holds
mvn -B -q ${MVN_OPTS:-} package dependency:build-classpath -Dmaven.test.skip=true -pl bench -am -Dmdep.outputFile=target/classpath.txt
source bench/jvm-options.sh
exec java "${jvm_defaults[@]}" -Xmx512m ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.pgkb.bench.archiver.ArchiverBench "$@"
