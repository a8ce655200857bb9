#!/usr/bin/env bash
# Restore A/B: bench/restore-ab.sh REV_A REV_B [rounds] [rows changes hotKeys replayChanges batchKeys]
# Builds two revisions side by side (git worktrees under bench/target/ab, `mvn package`, nothing installed) and runs
# the restore benchmark alternately, A B A B ..., with the same JVM options (bench/jvm-options.sh, JAVA_OPTS), so
# each pair shares the machine's load: on a shared host the noise between runs minutes apart (±10 %) is as large as
# most effects worth measuring. Prints one line per run and each revision's mean ratio; full logs stay in
# bench/target/ab/<A or B>-<rev>-<round>.log. Defaults: 5 rounds, 1000000 1000000 10000 2000.
# JVM flags instead of code: the same revision twice with JAVA_OPTS_A / JAVA_OPTS_B (added to JAVA_OPTS for run A / B),
# e.g. JAVA_OPTS_B=-XX:CompileThresholdScaling=2 bench/restore-ab.sh HEAD HEAD 4.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/restore-ab.sh REV_A REV_B [rounds] [bench arguments]" >&2; exit 2; }
revs=("$(git rev-parse --short "$1")" "$(git rev-parse --short "$2")")
sides=(A B)
opts=("${JAVA_OPTS_A:-}" "${JAVA_OPTS_B:-}")
rounds=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(1000000 1000000 10000 2000)
work=bench/target/ab
mkdir -p "$work"
source bench/jvm-options.sh
for i in 0 1; do
    rev=${revs[$i]}
    dir="$work/${sides[$i]}"
    git worktree remove --force "$dir" 2>/dev/null || true
    git worktree add --detach "$dir" "$rev" >/dev/null
    # package and the classpath in one run: the reactor resolves the pgkb modules to this worktree's jars
    (cd "$dir" && nice -n 10 mvn -B -q -o package -DskipTests -pl bench -am dependency:build-classpath \
        -Dmdep.outputFile=target/classpath-ab.txt >/dev/null)
done
for r in $(seq 1 "$rounds"); do
    for i in 0 1; do
        rev=${revs[$i]}
        side=${sides[$i]}
        log="$work/$side-$rev-$r.log"
        load=$(cut -d' ' -f1 /proc/loadavg)
        rm -rf /tmp/pgkb-restore-bench-*
        # shellcheck disable=SC2086 # JAVA_OPTS is a list of JVM options
        flock /tmp/pgkb-bench.lock java "${jvm_defaults[@]}" -Xmx512m ${JAVA_OPTS:-} ${opts[$i]} \
            -cp "$work/$side/bench/target/classes:$(cat "$work/$side/bench/target/classpath-ab.txt")" \
            io.pgkb.bench.restore.RestoreBench "${args[@]}" >"$log" 2>&1 || { echo "$rev round $r failed: $log" >&2; exit 1; }
        printf '%s load %s %-10s restore %ss ratio %s baseline %s %s %s | %s | %s\n' "$(date -u +%H:%M)" "$load" "$side:$rev" \
            "$(grep -o '^restore: [0-9.]*s for' "$log" | grep -o '[0-9.]*')" \
            "$(grep -o 'restore / COPY = [0-9.]*' "$log" | grep -o '[0-9.]*$')" \
            "$(grep -o 'bare table + ADD PRIMARY KEY [0-9.]*s' "$log" | grep -o '[0-9.]*s')" \
            "$(grep -o 'first_fold_ms=[0-9]* load_ms=[0-9]* index_ms=[0-9]*' "$log" | tail -1)" \
            "$(grep -o 'plan_ms=[0-9]*' "$log" | tail -1)" \
            "$(grep -o 'JVM CPU: [0-9.]*s; JIT compiling [0-9.]*s, GC [0-9.]*s' "$log")" \
            "$(grep -o 'read_cpu_ms=[0-9]* fold_cpu_ms=[0-9]*' "$log" | tail -1)"
    done
done | tee "$work/summary.txt"
for i in 0 1; do
    label="${sides[$i]}:${revs[$i]}"
    awk -v label="$label" '$4 == label { for (i = 1; i <= NF; i++) if ($i == "ratio") { s += $(i + 1); n++ } }
        END { if (n) printf "%s: mean restore / (COPY + ADD PRIMARY KEY) %.2f over %d runs\n", label, s / n, n }' "$work/summary.txt"
    [ -z "${opts[$i]}" ] || echo "  ${sides[$i]} ran with ${opts[$i]}"
done
for side in "${sides[@]}"; do
    git worktree remove --force "$work/$side" 2>/dev/null || true
done
