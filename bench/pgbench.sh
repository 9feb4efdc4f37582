#!/usr/bin/env bash
# SQL baselines for bench/run.sh, with pgbench on the same PostgreSQL: what one round trip, one committed single-row
# UPDATE and the API's own void SQL cost on this machine without the API in the way. Run it after bench/run.sh
# (the void replays need its wallets_bench database). Prints a Markdown table.
#   BENCH_SECONDS (default 15), BENCH_CONCURRENCY (default 32) as in run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "pgbench: $*" >&2; }
command -v pgbench >/dev/null || { say "installing pgbench (postgresql-contrib)…"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib >&2; }

seconds="${BENCH_SECONDS:-15}"
clients="${BENCH_CONCURRENCY:-32}"
scripts="bench/pgbench"
field() { tr ';' '\n' <<<"$2" | awk -F= -v k="$1" 'tolower($1)==tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }
pg() { # pg CONNSTRING PROGRAM ARGS…: a PostgreSQL client program as the connection string's user
    PGPASSWORD="$(field Password "$1")" PGHOST="$(field Host "$1")" PGPORT="$(field Port "$1" | sed 's/^$/5432/')" \
        PGUSER="$(field Username "$1")" PGDATABASE="$(field Database "$1")" "${@:2}"
}
run() { # run CONNSTRING TITLE CLIENTS pgbench-args…: one line of the table (simple protocol unless -M is given)
    local out mode=(-M simple)
    [[ " ${*:4} " == *" -M "* ]] && mode=()
    out=$(pg "$1" pgbench -n "${mode[@]}" -c "$3" -j 2 -T "$seconds" "${@:4}" 2>&1) || { say "$2 failed:"; echo "$out" >&2; return; }
    printf '| %s | %s | %s | %s | %s |\n' "$2" "$3" \
        "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | xargs printf '%.0f')" \
        "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")" \
        "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out" | sed 's/^$/0/')"
}

scratch="$(scripts/db.sh wallets_pgbench)"
pg "$scratch" psql -X -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS acct;
    CREATE TABLE acct (id integer PRIMARY KEY, bal bigint NOT NULL);
    INSERT INTO acct SELECT g, 1000000000 FROM generate_series(1, 1000) g;" -c "VACUUM ANALYZE acct"

echo "pgbench, $seconds s each, simple protocol unless prepared, TLS as libpq negotiates it (like Npgsql, it prefers TLS), $(date -u +%Y-%m-%dT%H:%MZ):"
echo
echo "| transaction | clients | tps | latency avg ms | failed |"
echo "|---|--:|--:|--:|--:|"
run "$scratch" "SELECT 1 (one round trip)" "$clients" -f "$scripts/select1.sql"
run "$scratch" "single-row UPDATE + commit, 1000 rows" "$clients" -f "$scripts/update_many.sql"
run "$scratch" "single-row UPDATE + commit, 1000 rows" 1 -f "$scripts/update_many.sql"
run "$scratch" "single-row UPDATE + commit, one hot row" "$clients" -f "$scripts/update_hot.sql"

bench_db="$(scripts/db.sh wallets_bench)"
if [[ "$(pg "$bench_db" psql -X -tAc "SELECT count(*) FROM wallets" 2>/dev/null || echo 0)" -gt 1 ]]; then
    # The wallets bench/run.sh seeded (n = 1..N) and its hot wallet (n = 0), each with the grant a void takes from.
    wallets=$(pg "$bench_db" psql -X -q -tA -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS pgbench_wallets;
CREATE TABLE pgbench_wallets AS
SELECT CASE WHEN c.external_id LIKE '%-hot' THEN 0 ELSE row_number() OVER (PARTITION BY c.external_id LIKE '%-hot' ORDER BY w.created_at) END AS n,
       w.id AS wallet_id, w.customer_id, w.organization_id,
       (SELECT t.id FROM wallet_transactions t WHERE t.wallet_id = w.id AND t.remaining_amount_cents > 0
         ORDER BY t.priority, t.transaction_status <> 'granted', t.created_at, t.id LIMIT 1) AS grant_id
  FROM wallets w JOIN customers c ON c.id = w.customer_id WHERE c.external_id LIKE 'bench-%';
CREATE UNIQUE INDEX ON pgbench_wallets (n);
ANALYZE pgbench_wallets;
SELECT count(*) - 1 FROM pgbench_wallets;
SQL
)
    run "$bench_db" "API void SQL, 6 round trips, $wallets wallets" "$clients" -f "$scripts/void_as_server.sql" -D lo=1 -D hi="$wallets"
    run "$bench_db" "API void SQL, 2 round trips, $wallets wallets" "$clients" -f "$scripts/void_batched.sql" -D lo=1 -D hi="$wallets"
    pg "$bench_db" psql -X -q -v ON_ERROR_STOP=1 -f "$scripts/void_function_setup.sql" >&2
    run "$bench_db" "void as one prepared function call, $wallets wallets" "$clients" -M prepared -f "$scripts/void_function.sql" -D lo=1 -D hi="$wallets"
    run "$bench_db" "API void SQL, 6 round trips, hot wallet" "$clients" -f "$scripts/void_as_server.sql" -D lo=0 -D hi=0
    run "$bench_db" "API void SQL, 2 round trips, hot wallet" "$clients" -f "$scripts/void_batched.sql" -D lo=0 -D hi=0
    run "$bench_db" "void as one prepared function call, hot wallet" "$clients" -M prepared -f "$scripts/void_function.sql" -D lo=0 -D hi=0
    pg "$bench_db" psql -X -q -c "DROP TABLE pgbench_wallets; DROP FUNCTION pgbench_void" >&2
else
    say "no wallets_bench data: run bench/run.sh first for the void replays."
fi

fsync_tool=$(command -v pg_test_fsync || ls /usr/lib/postgresql/*/bin/pg_test_fsync 2>/dev/null | sort -V | tail -1 || true)
if [[ -n "$fsync_tool" ]]; then
    probe=$(mktemp -p /var/tmp pg_test_fsync.XXXXXX)
    fsync_out=$("$fsync_tool" -s 2 -f "$probe" 2>/dev/null || true)
    rm -f "$probe"
    # The first "fdatasync" line (one 8 kB write): the WAL flush every commit waits for (wal_sync_method = fdatasync).
    fsyncs=$(awk '$1 == "fdatasync" {print $2 " ops/s, " $4 " µs each"; exit}' <<<"$fsync_out")
    echo
    echo "pg_test_fsync: one 8 kB write + fdatasync (the WAL flush a commit waits for): ${fsyncs:-?} on this disk."
fi
