#!/bin/sh
# Peak RSS of one `kdlens worker` (and its children) training the demo study, sampled from /proc
# every 0.5 s for SAMPLES samples (default 120), in a database created on ADMIN_URL's server and
# dropped afterwards. docs/deploy.md's sizing quotes it. Run from the repository root:
#   ADMIN_URL=postgres://user:pw@127.0.0.1:5432/postgres scripts/measure-worker-memory.sh
set -e
: "${ADMIN_URL:?set ADMIN_URL to a PostgreSQL URL that may create databases}"
case "$ADMIN_URL" in *\?*) echo "ADMIN_URL: put no ?query in it (the database name is replaced)" >&2; exit 2;; esac
DB=kdlens_wmem_$$
LOG=$(mktemp)
W=""
# Whatever happens, the worker stops and the scratch database goes.
cleanup() {
  [ -n "$W" ] && kill -TERM "$W" 2>/dev/null && wait "$W" 2>/dev/null
  psql "$ADMIN_URL" -qc "drop database if exists $DB with (force)" || true
  rm -f "$LOG"
}
trap cleanup EXIT INT TERM
psql "$ADMIN_URL" -qc "create database $DB"
export DATABASE_URL="${ADMIN_URL%/*}/$DB" LOG_LEVEL=warn KDLENS_NO_PROGRESS=1
node apps/cli/bin/kdlens.js run demo >/dev/null
node apps/cli/bin/kdlens.js worker > "$LOG" 2>&1 &
W=$!
peak=0; idle=""
for i in $(seq 1 ${SAMPLES:-120}); do
  sleep 0.5
  tot=0
  for p in $W $(pgrep -P $W) ; do r=$(awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null || echo 0); tot=$((tot + ${r:-0})); done
  [ -z "$idle" ] && [ $i -eq 6 ] && idle=$tot
  [ $tot -gt $peak ] && peak=$tot
done
kill -TERM $W; wait $W || true
W=""
done_units=$(psql "$DATABASE_URL" -tAc "select count(*) from runs where status='succeeded'")
echo "{\"workerRssAt3sKiB\":$idle,\"workerPeakRssKiB\":$peak,\"unitsSucceeded\":$done_units,\"load1\":\"$(cut -d' ' -f1 /proc/loadavg)\"}"
