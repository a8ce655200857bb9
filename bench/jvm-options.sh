# Sourced by bench/*.sh: the JVM options pgkb runs with, chosen as the ./pgkb launcher chooses them
# (cli/jvm-options.sh), so a benchmark measures what users run. A collector chosen in JAVA_OPTS (or
# JAVA_TOOL_OPTIONS) replaces pgkb's, e.g. JAVA_OPTS=-XX:+UseG1GC to compare; the other options stay.
source cli/jvm-options.sh
# shellcheck disable=SC2086 # option lists, split on purpose
pgkb_jvm_defaults cli ${JAVA_OPTS:-} ${JAVA_TOOL_OPTIONS:-}
