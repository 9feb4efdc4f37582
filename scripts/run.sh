#!/usr/bin/env bash
# Starts the Wallets API (and its dashboard) on http://localhost:5080 with its database, and prints a ready-to-use API key.
#   WALLETS_API_KEY   the key to accept (default: one generated once and kept in .local/api-key)
#   WALLETS_PORT      the port (default 5080)
set -euo pipefail
cd "$(dirname "$0")/.."

export ConnectionStrings__Wallets="$(scripts/db.sh)"
port="${WALLETS_PORT:-5080}"

mkdir -p .local
if [[ -z "${WALLETS_API_KEY:-}" ]]; then
    [[ -s .local/api-key ]] || echo "wlt_dev_$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" > .local/api-key
    WALLETS_API_KEY="$(cat .local/api-key)"
fi
export Wallets__BootstrapApiKey="$WALLETS_API_KEY"

dotnet build src/Wallets.Api -c Release -nologo -v quiet >&2
cd src/Wallets.Api/bin/Release/net10.0   # the build output, with appsettings.json beside the program
dotnet Wallets.Api.dll migrate

cat <<MSG

  Wallets API   http://localhost:$port/api/v1
  Swagger UI    http://localhost:$port/swagger   (Authorize → paste the key)
  Dashboard     http://localhost:$port/          (sign in with the key)
  API key       $WALLETS_API_KEY

  curl -H "Authorization: Bearer $WALLETS_API_KEY" http://localhost:$port/api/v1/customers

MSG
exec dotnet Wallets.Api.dll --urls "http://localhost:$port"
