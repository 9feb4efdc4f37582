#!/usr/bin/env bash
# Makes a PostgreSQL reachable for the app and the tests, then prints its connection string on stdout.
# Usage: scripts/db.sh [--empty] [DATABASE]   (default database: wallets; another one is created when missing,
#        or dropped and created again with --empty, for a benchmark that must start from nothing)
#   - WALLETS_DB (an Npgsql connection string) is used as is when it answers;
#   - otherwise the local server on 127.0.0.1 is used, started (and installed with apt-get) when needed,
#     with a `wallets` role (password `wallets`, may create databases) and a `wallets` database.
# Idempotent, and quick when everything is already up. Messages go to stderr.
set -euo pipefail

say() { echo "db: $*" >&2; }
die() { say "$*"; exit 1; }

# field NAME CONNSTRING: one key of an Npgsql connection string (case-insensitive), empty if absent.
field() { tr ';' '\n' <<<"$2" | awk -F= -v k="$1" 'tolower($1)==tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }

sql() { # sql CONNSTRING STATEMENT: runs one statement as the connection string's user
    command -v psql >/dev/null || return 1
    PGPASSWORD="$(field Password "$1")" PGCONNECT_TIMEOUT=3 psql -X -q -w -v ON_ERROR_STOP=1 \
        -h "$(field Host "$1")" -p "$(field Port "$1" | sed 's/^$/5432/')" \
        -U "$(field Username "$1")" -d "$(field Database "$1")" -tAc "$2"
}
answers() { sql "$1" 'SELECT 1' >/dev/null 2>&1; }

# done CONNSTRING: makes sure the wanted database exists on that server, prints its connection string, exits.
done_with() {
    local wanted="${DATABASE:-$(field Database "$1")}"
    ((EMPTY == 0)) || [[ "$wanted" != "$(field Database "$1")" ]] || die "--empty never drops the default database ($wanted)."
    if [[ "$wanted" != "$(field Database "$1")" ]]; then
        [[ "$wanted" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $wanted"
        # FORCE ends the database's other sessions, but PostgreSQL 15 refuses the whole drop when one of them is an
        # autovacuum worker and the role is not superuser, which is common right after a heavy run: until it has gone.
        local attempt dropped
        if ((EMPTY)); then
            for attempt in $(seq 1 30); do
                dropped=$(sql "$1" "DROP DATABASE IF EXISTS $wanted WITH (FORCE)" 2>&1) && break
                ((attempt < 30)) || die "cannot drop $wanted: $dropped"
                sleep 1
            done
        fi
        [[ -n "$(sql "$1" "SELECT 1 FROM pg_database WHERE datname = '$wanted'")" ]] || sql "$1" "CREATE DATABASE $wanted" >&2
    fi
    tr ';' '\n' <<<"$1" | grep -iv '^database=' | paste -sd';' | sed "s/\$/;Database=$wanted/"
    exit 0
}
EMPTY=0
[[ "${1:-}" == --empty ]] && { EMPTY=1; shift; }
DATABASE="${1:-}"

if [[ -n "${WALLETS_DB:-}" ]]; then
    if answers "$WALLETS_DB"; then done_with "$WALLETS_DB"; fi
    say "WALLETS_DB does not answer; falling back to a local PostgreSQL."
fi

port="${WALLETS_DB_PORT:-5432}"
local_cs="Host=127.0.0.1;Port=$port;Username=wallets;Password=wallets;Database=wallets"
if answers "$local_cs"; then done_with "$local_cs"; fi

[[ $(id -u) -eq 0 ]] || die "PostgreSQL is not reachable on 127.0.0.1:$port and starting one needs root (apt-get, the postgres user). Start one yourself, or set WALLETS_DB."

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available: install PostgreSQL 15+ or set WALLETS_DB."
    say "installing PostgreSQL with apt-get (once)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql postgresql-client >&2 || die "apt-get install postgresql failed."
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3==p {found=1} END {exit !found}'; then
    say "creating PostgreSQL $version cluster 'wallets' on port $port…"
    pg_createcluster "$version" wallets --port "$port" >&2 || die "pg_createcluster failed."
fi
read -r cversion cname cstatus < <(pg_lsclusters -h | awk -v p="$port" '$3==p {print $1, $2, $4; exit}')
if [[ "$cstatus" != online* ]]; then
    say "starting PostgreSQL cluster $cversion/$cname…"
    pg_ctlcluster "$cversion" "$cname" start >&2 || die "could not start cluster $cversion/$cname (see /var/log/postgresql)."
fi
for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.5; done
pg_isready -q -h 127.0.0.1 -p "$port" || die "PostgreSQL did not become ready on port $port."

as_postgres() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@" >&2; }
as_postgres -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wallets') THEN
        CREATE ROLE wallets LOGIN CREATEDB PASSWORD 'wallets';
    END IF;
END \$\$;"
if ! runuser -u postgres -- psql -X -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'wallets'" | grep -q 1; then
    as_postgres -c "CREATE DATABASE wallets OWNER wallets"
fi
answers "$local_cs" || die "PostgreSQL is up but the wallets role cannot log in over TCP (check pg_hba.conf)."
done_with "$local_cs"
