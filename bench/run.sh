#!/usr/bin/env bash
# End-to-end benchmark: a Release build of the API on a fresh PostgreSQL database, loaded over loopback HTTP.
# Prints a results table and writes it to bench/results/<timestamp>.md (git-ignored). See bench/README.md.
#   BENCH_SECONDS          measured seconds per scenario (default 15), after BENCH_WARMUP_SECONDS (default 5) of warm-up;
#                          BENCH_SERVER_WARMUP_SECONDS (default 30) of mixed requests warm the server up before the first scenario
#   BENCH_CONCURRENCY      concurrent workers (default 32); BENCH_LIST_CONCURRENCY for scenario e (default 4)
#   BENCH_WALLETS          wallets seeded for the many-wallet scenarios (default 1000)
#   BENCH_H_EVENTS, BENCH_H_READS  scenario h's open loops: single events and balance reads per second (default 3000, 500)
#   BENCH_READERS          balance readers in scenario j, beside BENCH_CONCURRENCY/2 workers sending events (default 4)
#   BENCH_TIMELINE         a path prefix: open-loop scenarios also write each request's send time and latency to <prefix>.<scenario>.csv
#   BENCH_SCENARIOS        which of a,b,c,d,e,f,g,h,i,j,k,l,m to run (default a–h; k: webhook dispatch, BENCH_WEBHOOKS of them, default 20000;
#                          l: the dashboard pages of a wallet with BENCH_HISTORY transactions, default 10000;
#                          m: `?at=` reads deep in a wallet's history)
#   BENCH_WEBHOOK_ENDPOINT=1  one webhook endpoint subscribed to every type (on a receiver in the load generator) during every scenario
#   BENCH_WEBHOOK_ALGO     jwt (default, Lago's) or hmac: how that endpoint's and scenario k's webhooks are signed
#   BENCH_HISTORY_TRANSACTIONS  scenario m: transactions written to one wallet before its `?at=` reads (default 100000)
#   BENCH_PORT             the server's port on 127.0.0.1 (default 5180)
#   BENCH_DB_OPTIONS       appended to the server's connection string, to try Npgsql settings without a code change,
#                          e.g. "Max Auto Prepare=64;SSL Mode=Disable" or "Options=-c synchronous_commit=off"
#   BENCH_DB_NAME          the database to (re)create (default wallets_bench), so runs from two worktrees do not collide
#   BENCH_SERVER_ENV       NAME=value words set for the server only, e.g. "Events__Writers=2 DOTNET_TieredPGO=0"
#   BENCH_SQL_LOG=1        log every SQL command the server sends (EF Core, Information) to bench/results/<timestamp>.server.log
#   BENCH_KEEP_DB=1        keep the previous wallets_bench database instead of starting from an empty one
#   BENCH_THRESHOLD_RULES=1  give every seeded wallet a threshold top-up rule (never reached), so the top-up job checks them
#   BENCH_WALLET_ALERTS=1    give every seeded wallet and the hot wallet three alerts (never reached), checked by balance changes and usage
#   BENCH_SETTLE=0         do not settle the database before each scenario (bench/settle.sh: VACUUM (ANALYZE), CHECKPOINT)
#   BENCH_QUIET_PERCENT    a scenario starts once other processes use less than this much CPU (default 25, % of one core),
#   BENCH_QUIET_WAIT_SECONDS  or after waiting this long (default 120): the machine may be shared with other builds
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$root/bench/results"
mkdir -p "$results"
out="$results/$stamp.md"
server_log="$results/$stamp.server.log"
port="${BENCH_PORT:-5180}"
base="http://127.0.0.1:$port"

# field NAME CONNSTRING: one key of an Npgsql connection string (case-insensitive), empty if absent.
field() { tr ';' '\n' <<<"$2" | awk -F= -v k="$1" 'tolower($1)==tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }
psql_to() { # psql_to CONNSTRING ARGS…: psql as the connection string's user
    PGPASSWORD="$(field Password "$1")" psql -X -q -w -v ON_ERROR_STOP=1 -h "$(field Host "$1")" \
        -p "$(field Port "$1" | sed 's/^$/5432/')" -U "$(field Username "$1")" -d "$(field Database "$1")" "${@:2}"
}

# --- database: an empty wallets_bench, so every run starts from the same state ---
db_name="${BENCH_DB_NAME:-wallets_bench}"
[[ "$db_name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad BENCH_DB_NAME: $db_name"
if [[ -n "${BENCH_KEEP_DB:-}" ]]; then bench_db="$(scripts/db.sh "$db_name")"; else bench_db="$(scripts/db.sh --empty "$db_name")"; fi

# --- build: the API exactly as shipped (Release), and the load generator ---
say "building (Release)…"
dotnet build src/Wallets.Api -c Release -nologo -v quiet >&2
dotnet build bench/Wallets.Bench -c Release -nologo -v quiet >&2
app_dir="$root/src/Wallets.Api/bin/Release/net10.0"
bench_dll="$root/bench/Wallets.Bench/bin/Release/net10.0/Wallets.Bench.dll"

key=$(cd "$app_dir" && ConnectionStrings__Wallets="$bench_db" dotnet Wallets.Api.dll create-organization bench | sed -n 's/^API key: //p')
[[ -n "$key" ]] || die "create-organization printed no API key."

# --- server: loopback only, quiet logs, background jobs on as shipped (BENCH_SERVER_ENV=Jobs__Enabled=false turns them off) ---
curl -s -o /dev/null "$base/health" && die "something already answers on $base; set BENCH_PORT."
server_db="$bench_db${BENCH_DB_OPTIONS:+;$BENCH_DB_OPTIONS}"
server_env=(ConnectionStrings__Wallets="$server_db" Logging__LogLevel__Default=Warning)
[[ -n "${BENCH_SQL_LOG:-}" ]] && server_env+=("Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=Information")
# shellcheck disable=SC2206 # NAME=value words, for the server only (runtime or app settings to try without a code change)
[[ -n "${BENCH_SERVER_ENV:-}" ]] && server_env+=(${BENCH_SERVER_ENV})
(cd "$app_dir" && exec env "${server_env[@]}" dotnet Wallets.Api.dll --urls "$base") >"$server_log" 2>&1 &
server_pid=$!
stop_server() {
    if [[ -n "${server_pid:-}" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
trap stop_server EXIT
for _ in $(seq 1 120); do curl -sf "$base/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "$base/health/ready" >/dev/null || { cat "$server_log" >&2; die "the server did not become ready."; }
say "server ready (pid $server_pid) on $base"

# --- load ---
bench_status=0
BENCH_URL="$base" BENCH_API_KEY="$key" BENCH_SERVER_PID="$server_pid" BENCH_DATABASE="$(field Database "$bench_db")" BENCH_OUT="$out" \
    BENCH_SETTLE="${BENCH_SETTLE:-$root/bench/settle.sh}" BENCH_SETTLE_DB="$bench_db" \
    dotnet "$bench_dll" >/dev/null || bench_status=$?
[[ -s "$out" ]] || die "the load generator wrote no results (exit $bench_status)."

peak_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
stop_server

# --- the ledger must still add up after all that concurrency ---
invariants=$(psql_to "$bench_db" -tA -F '|' <<'SQL'
WITH consumed_by_outbound AS (
    SELECT outbound_wallet_transaction_id AS id, sum(consumed_amount_cents) AS cents FROM wallet_transaction_consumptions GROUP BY 1),
consumed_from_inbound AS (
    SELECT inbound_wallet_transaction_id AS id, sum(consumed_amount_cents) AS cents FROM wallet_transaction_consumptions GROUP BY 1),
held AS (
    SELECT wallet_id, sum(remaining_amount_cents) AS cents FROM wallet_transactions
     WHERE transaction_type = 'inbound' AND status = 'settled' GROUP BY 1)
SELECT 'wallet balance_cents = sum(remaining_amount_cents) of its settled inbound', count(*),
       count(*) FILTER (WHERE w.balance_cents <> COALESCE(h.cents, 0))
  FROM wallets w LEFT JOIN held h ON h.wallet_id = w.id
UNION ALL
SELECT 'outbound amount_cents = sum of its consumptions', count(*), count(*) FILTER (WHERE t.amount_cents <> COALESCE(c.cents, 0))
  FROM wallet_transactions t LEFT JOIN consumed_by_outbound c ON c.id = t.id WHERE t.transaction_type = 'outbound'
UNION ALL
SELECT 'settled inbound amount_cents = remaining + sum of its consumptions', count(*),
       count(*) FILTER (WHERE t.amount_cents <> t.remaining_amount_cents + COALESCE(c.cents, 0))
  FROM wallet_transactions t LEFT JOIN consumed_from_inbound c ON c.id = t.id WHERE t.transaction_type = 'inbound' AND t.status = 'settled'
UNION ALL
SELECT 'unsettled inbound has no consumptions', count(*), count(*) FILTER (WHERE c.id IS NOT NULL)
  FROM wallet_transactions t LEFT JOIN consumed_from_inbound c ON c.id = t.id WHERE t.transaction_type = 'inbound' AND t.status <> 'settled'
UNION ALL
SELECT 'latest balance history row = wallet balance and consumed amount', count(*),
       count(*) FILTER (WHERE h.seq IS DISTINCT FROM NULLIF(w.balance_seq, 0) OR COALESCE(h.balance_cents, 0) <> w.balance_cents
                              OR COALESCE(h.consumed_amount_cents, 0) <> w.consumed_amount_cents)
  FROM wallets w LEFT JOIN LATERAL (SELECT * FROM wallet_balance_changes b WHERE b.wallet_id = w.id ORDER BY b.at DESC, b.seq DESC LIMIT 1) h ON true;
SQL
)
invariant_status=0
{
    echo
    echo "Ledger invariants (SQL over wallets_bench after the run):"
    echo
    while IFS='|' read -r name checked bad; do
        [[ -n "$name" ]] || continue
        if [[ "$bad" == 0 ]]; then verdict=OK; else verdict=FAIL; invariant_status=1; fi
        echo "- $name: $checked rows, $bad mismatches — **$verdict**"
    done <<<"$invariants"
    echo
    echo "Server peak RSS (VmHWM at the end of the run): $((peak_kb / 1024)) MiB"
    echo
    [[ -n "${BENCH_DB_OPTIONS:-}" ]] && echo "Server connection-string options: \`$BENCH_DB_OPTIONS\`" && echo
    echo "Run $stamp on $(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM," \
        "$(psql_to "$bench_db" -tAc 'SHOW server_version' | cut -d' ' -f1) PostgreSQL, commit $(git rev-parse --short HEAD)."
    # The server settings that move these numbers most, so runs on differently tuned clusters are not compared blindly.
    echo "PostgreSQL settings: $(psql_to "$bench_db" -tAc "SELECT string_agg(name || ' ' || current_setting(name), ', ' ORDER BY name)
        FROM unnest(ARRAY['shared_buffers', 'max_wal_size', 'synchronous_commit', 'wal_compression', 'max_connections']) AS name")."
} >>"$out"

cat "$out"
echo
echo "results: ${out#"$root"/}   server log: ${server_log#"$root"/}"
[[ $bench_status -eq 0 && $invariant_status -eq 0 ]]
