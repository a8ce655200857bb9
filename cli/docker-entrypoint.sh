#!/usr/bin/env bash
# The Docker image's entrypoint: pgkb's JVM options as the ./pgkb launcher applies them (a collector chosen in
# PGKB_JAVA_OPTS or JAVA_TOOL_OPTIONS replaces pgkb's), then exec, so java is PID 1: `docker stop` is a graceful
# stop and exit codes pass through. PGKB_HOME is where the image put pgkb (a test points it elsewhere).
set -euo pipefail
home=${PGKB_HOME:-/opt/pgkb}
source "$home/jvm-options.sh"
# shellcheck disable=SC2086 # option lists, split on purpose
pgkb_jvm_defaults "$home" ${PGKB_JAVA_OPTS:-} ${JAVA_TOOL_OPTIONS:-}
# shellcheck disable=SC2086
exec java "${jvm_defaults[@]}" -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError ${PGKB_JAVA_OPTS:-} -jar "$home/pgkb.jar" "$@"
