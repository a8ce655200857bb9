#!/usr/bin/env bash
# Nightly restore test: proves that yesterday's point can be restored, as pgBackRest's users rehearse restores.
# 1. pgkb verify --json   reads every archive object of the tables (checksums, gaps, dumps)
# 2. pgkb restore --json  rebuilds the tables as they were PGKB_RESTORE_AGE ago (default 24h) in a scratch database,
#                         replacing last night's copy; it refuses (exit 3) when the archive cannot prove that point
# Prints both JSON documents on stdout, one per line; exits with the first non-zero exit code, so a timer's
# OnFailure= or a failed Kubernetes Job raises the alert.
# Settings (environment): PGKB_STORE (required), PGKB_TARGET (required: the scratch database, never production),
# PGKB_TABLES (required: schema.table[=scratch_schema.name],...), PGKB_RESTORE_AGE (24h; NUMBER + s|m|h|d),
# PGKB_TOPIC_PREFIX (pgkb), PGKB_STORE_OPTIONS (more store options, e.g. "--s3-endpoint URL --s3-path-style"),
# PGKB (the pgkb command; default: the image's entrypoint, or ./pgkb beside this script).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pgkb=${PGKB:-}
if [ -z "$pgkb" ]; then
    if [ -x "$here/entrypoint.sh" ]; then pgkb="$here/entrypoint.sh"; else pgkb="$here/../pgkb"; fi
fi
for v in PGKB_STORE PGKB_TARGET PGKB_TABLES; do
    if [ -z "${!v:-}" ]; then
        echo "restore-test: $v is required" >&2
        exit 2
    fi
done
age=${PGKB_RESTORE_AGE:-24h}
case "$age" in
    *d) seconds=$(( ${age%d} * 86400 )) ;;
    *h) seconds=$(( ${age%h} * 3600 )) ;;
    *m) seconds=$(( ${age%m} * 60 )) ;;
    *s) seconds=${age%s} ;;
    *) echo "restore-test: PGKB_RESTORE_AGE must be a number with s, m, h or d, got '$age'" >&2; exit 2 ;;
esac
point=$(date -u -d "@$(( $(date +%s) - seconds ))" +%Y-%m-%dT%H:%M:%SZ)
# shellcheck disable=SC2206 # options, split on purpose
store=(--store "$PGKB_STORE" --topic-prefix "${PGKB_TOPIC_PREFIX:-pgkb}" ${PGKB_STORE_OPTIONS:-})
tables_only=$(echo "$PGKB_TABLES" | sed -E 's/=[^,]*//g')

"$pgkb" verify --json --log-format json "${store[@]}" --tables "$tables_only" | tr -d '\n'
verify=${PIPESTATUS[0]}
echo
if [ "$verify" -ne 0 ]; then
    echo "restore-test: verify failed with exit code $verify; restore to $point not attempted" >&2
    exit "$verify"
fi
"$pgkb" restore --json --log-format json "${store[@]}" --target "$PGKB_TARGET" --tables "$PGKB_TABLES" \
    --to-time "$point" --replace | tr -d '\n'
restore=${PIPESTATUS[0]}
echo
if [ "$restore" -ne 0 ]; then
    echo "restore-test: restore to $point failed with exit code $restore" >&2
fi
exit "$restore"
