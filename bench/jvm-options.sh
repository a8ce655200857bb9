# Sourced by bench/*.sh: the JVM options pgkb runs with (cli/jvm.options), applied as the ./pgkb launcher applies
# them, so a benchmark measures what users run. Left out when JAVA_OPTS chooses a collector itself (the JVM refuses
# two), e.g. JAVA_OPTS=-XX:+UseG1GC to compare.
jvm_defaults=(@cli/jvm.options)
case " ${JAVA_OPTS:-} " in *" -XX:+Use"*"GC "*) jvm_defaults=() ;; esac
