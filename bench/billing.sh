#!/usr/bin/env bash
# Billing-run benchmark: BENCH_SUBSCRIPTIONS (default 10000) subscriptions whose customers hold wallets with credits and
# some usage, on a fresh wallets_bench_billing database; then one run of the API's billing job, timed.
#   BENCH_BILLING_WORKERS  workers of the run (default 4; the API's Jobs:BillingWorkers)
#   BENCH_BILLING_BATCH    subscriptions per transaction (default 25; Jobs:BillingBatchSize)
#   BENCH_QUIET_PERCENT    the run starts once others use less than this much CPU (default 25, % of one core), or after 120 s
# Prints a results table and writes it to bench/results/<timestamp>-billing.md (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out="bench/results/$stamp-billing.md"

field() { tr ';' '\n' <<<"$2" | awk -F= -v k="$1" 'tolower($1)==tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }
bench_db="$(scripts/db.sh --empty wallets_bench_billing)"

echo "bench: building (Release)…" >&2
dotnet build bench/Wallets.Bench.Billing -c Release -nologo -v quiet >&2
BENCH_DB="$bench_db" dotnet "$root/bench/Wallets.Bench.Billing/bin/Release/net10.0/Wallets.Bench.Billing.dll" | tee "$out"
echo "Run $stamp on $(nproc) cores, PostgreSQL $(PGPASSWORD="$(field Password "$bench_db")" psql -X -w -h "$(field Host "$bench_db")" \
    -U "$(field Username "$bench_db")" -d "$(field Database "$bench_db")" -tAc 'SHOW server_version' | cut -d' ' -f1), commit $(git rev-parse --short HEAD)." | tee -a "$out"
