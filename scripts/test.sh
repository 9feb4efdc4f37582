#!/usr/bin/env bash
# Runs every test against a real PostgreSQL: the .NET unit, HTTP integration and browser (dashboard) tests, then the official
# Lago JavaScript client (tests/contract) against a freshly started server. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$log"' EXIT

export ConnectionStrings__Wallets="$(scripts/db.sh)"

# The dashboard's browser tests drive Debian's chromium through Playwright (its driver ships in the NuGet package;
# no browser is ever downloaded).
if [[ ! -x /usr/bin/chromium ]]; then
    echo "test: installing chromium with apt-get (once)…" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi

status=0
dotnet test Wallets.sln -nologo 2>&1 | tee "$log/dotnet.txt" || status=1

# --- client contract tests: the real server, its own database, a fresh organization and key ---
# tests/contract needs Node >= 20. Debian 12's nodejs is 18: then npm (Debian's is enough) installs a Node 22 build
# from the npm registry (the `node` package) into .local/node, used for these tests only.
node_major() { command -v node >/dev/null && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
[[ -x .local/node/node_modules/.bin/node ]] && export PATH="$root/.local/node/node_modules/.bin:$PATH"
if (( $(node_major) < 20 )); then
    if ! command -v npm >/dev/null; then
        echo "test: installing Node.js and npm with apt-get (once)…" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
    fi
    if (( $(node_major) < 20 )); then
        echo "test: Node $(node_major) is too old for tests/contract; installing Node 22 from the npm registry into .local/node (once)…" >&2
        npm install --prefix .local/node --no-audit --no-fund --loglevel=error node@22 >&2
        export PATH="$root/.local/node/node_modules/.bin:$PATH"
    fi
fi
# Its own database (WALLETS_CONTRACT_DB), so runs from two worktrees with different schemas do not mix.
contract_db="$(scripts/db.sh "${WALLETS_CONTRACT_DB:-wallets_contract}")"

dotnet build src/Wallets.Api -c Release -nologo -v quiet
app_dir="$root/src/Wallets.Api/bin/Release/net10.0"
port="${WALLETS_CONTRACT_PORT:-5099}"
key=$(cd "$app_dir" && ConnectionStrings__Wallets="$contract_db" dotnet Wallets.Api.dll create-organization contract | sed -n 's/^API key: //p')
(cd "$app_dir" && ConnectionStrings__Wallets="$contract_db" Logging__LogLevel__Default=Warning \
    exec dotnet Wallets.Api.dll --urls "http://127.0.0.1:$port") >"$log/server.txt" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$log/server.txt"; echo "test: the server did not start" >&2; exit 1; }

(cd tests/contract && { [[ -d node_modules/lago-javascript-client ]] || npm ci --no-audit --no-fund --loglevel=error; } \
    && LAGO_API_URL="http://127.0.0.1:$port/api/v1" LAGO_API_KEY="$key" npm test --silent) 2>&1 | tee "$log/contract.txt" || status=1

# --- one closing line for everything ---
passed=$(( $(grep -oE 'Passed: +[0-9]+' "$log/dotnet.txt" | awk '{s+=$2} END {print s+0}') + $(grep -oE '^. pass [0-9]+' "$log/contract.txt" | awk '{s+=$3} END {print s+0}') ))
failed=$(( $(grep -oE 'Failed: +[0-9]+' "$log/dotnet.txt" | awk '{s+=$2} END {print s+0}') + $(grep -oE '^. fail [0-9]+' "$log/contract.txt" | awk '{s+=$3} END {print s+0}') ))
echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]] || status=1
exit $status
