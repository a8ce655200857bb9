# Sourced by bench/faults.sh and bench/restart.sh after `mvn ... dependency:build-classpath -Dmdep.outputFile=target/classpath.txt`
# in bench: sets cp to bench's class path with this tree's module jars copied to a new directory under /tmp (prefix $1),
# so that a build meanwhile cannot rewrite one under a long run (two campaign runs died at their last step with
# NoClassDefFoundError that way); the runners copy pgkb.jar themselves.
copy=$(mktemp -d "/tmp/$1-XXXXXX")
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
