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
# a campaign runs for half an hour: copy this tree's module jars, so that a build meanwhile cannot rewrite one under
# it (two runs died at their last step with NoClassDefFoundError that way); the runner copies pgkb.jar too
copy=$(mktemp -d /tmp/pgkb-faults-classes-XXXXXX)
cp -r bench/target/classes "$copy/bench"
cp=$copy/bench
# the file has no final newline: read then returns 1 at its end, which set -e took for a failure (the script ended silently)
IFS=: read -r -a entries < bench/target/classpath.txt || true
for e in "${entries[@]}"; do
    case "$e" in
        "$PWD"/*/target/*) cp "$e" "$copy/" && cp="$cp:$copy/$(basename "$e")" ;;
        *) cp="$cp:$e" ;;
    esac
done
exec java "${jvm_defaults[@]}" -Xmx768m ${JAVA_OPTS:-} -Dpgkb.jar=cli/target/pgkb.jar -cp "$cp" io.pgkb.bench.faults.FaultsBench "$@"
