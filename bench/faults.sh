#!/usr/bin/env bash
# The fault campaign of issue 16 §1 (see docs/benchmarks.md › Fault campaign): a mixed workload, one producer and two
# archivers of the real pgkb jar, kill -9s, broker and PostgreSQL restarts, S3 outages, a full spool and a dump at
# random moments from a seed; then every quiesced checkpoint is restored and compared, and verify runs.
# Usage: bench/faults.sh [seed]   (JAVA_OPTS=-Dfaults.plan=brief runs the short CI plan). Needs root for the spool tmpfs.
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor run, so the class path and the jar are this tree's modules, not whatever ~/.m2 holds
mvn -B -q ${MVN_OPTS:-} package dependency:build-classpath -Dmaven.test.skip=true -pl bench -am -Dmdep.outputFile=target/classpath.txt
source bench/jvm-options.sh
source bench/copied-classpath.sh pgkb-faults-classes
exec java "${jvm_defaults[@]}" -Xmx768m ${JAVA_OPTS:-} -Dpgkb.jar=cli/target/pgkb.jar -cp "$cp" io.pgkb.bench.faults.FaultsBench "$@"
