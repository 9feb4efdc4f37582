#!/usr/bin/env bash
# Settles the benchmark database before a scenario, as pgbench vacuums before each run: VACUUM (ANALYZE), then a
# CHECKPOINT, so a scenario does not pay for the previous one's cleanup (the autovacuum of a million fresh events, and
# the checkpoint writing their pages). Prints what it did on one line. BENCH_SETTLE_DB: the database's connection string.
# CHECKPOINT needs a superuser or the pg_checkpoint role: the benchmark's role is used when it may, else the local
# cluster's postgres user when run as root; otherwise only the vacuum is done, and the line says so.
set -euo pipefail
cs="${BENCH_SETTLE_DB:?BENCH_SETTLE_DB is not set}"
field() { tr ';' '\n' <<<"$2" | awk -F= -v k="$1" 'tolower($1)==tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }
host=$(field Host "$cs"); port=$(field Port "$cs" | sed 's/^$/5432/')
as_role() { PGPASSWORD="$(field Password "$cs")" psql -X -q -w -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$(field Username "$cs")" -d "$(field Database "$cs")" "$@"; }

as_role -c 'VACUUM (ANALYZE)' 2>/dev/null || { echo "settle failed: VACUUM (ANALYZE) refused"; exit 1; }
if as_role -c 'CHECKPOINT' 2>/dev/null; then
    echo "VACUUM (ANALYZE) and CHECKPOINT"
elif [[ $(id -u) -eq 0 && "$host" =~ ^(127\.0\.0\.1|localhost)$ ]] && runuser -u postgres -- psql -X -q -p "$port" -c 'CHECKPOINT' 2>/dev/null; then
    echo "VACUUM (ANALYZE) and CHECKPOINT"
else
    echo "VACUUM (ANALYZE) only (the role may not CHECKPOINT)"
fi
