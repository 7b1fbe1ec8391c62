#!/usr/bin/env bash
# The README's run command: a private PostgreSQL on loopback, the schema migrated, the service up.
# Data stays in .data/ at the repository root (delete it to start over). Ctrl-C stops everything.
# Env: MONITOR_PG_PORT (55432), ASPNETCORE_URLS (http://127.0.0.1:5080), MONITOR_DATA (.data).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${MONITOR_DATA:-$root/.data}
port=${MONITOR_PG_PORT:-55432}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:5080}
export ConnectionStrings__Monitor=${ConnectionStrings__Monitor:-Host=127.0.0.1;Port=$port;Database=monitor;Username=postgres}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$data"
echo "==> building" >&2
dotnet build "$root/src/ModelMonitor/ModelMonitor.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
monitor=(dotnet "$root/src/ModelMonitor/bin/Release/net10.0/monitor.dll")

echo "==> starting PostgreSQL on 127.0.0.1:$port (data in $data/postgres)" >&2
"$root/deploy/postgres.sh" start "$data/postgres" "$port"
service=
cleanup() {
  trap - EXIT INT TERM
  [ -n "$service" ] && kill -TERM "$service" 2>/dev/null && wait "$service" 2>/dev/null || true
  echo "==> stopping PostgreSQL" >&2
  "$root/deploy/postgres.sh" stop "$data/postgres"
}
trap cleanup EXIT INT TERM

psql_args=(-h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq)
if ! psql "${psql_args[@]}" -c "select 1 from pg_database where datname = 'monitor'" | grep -q 1; then
  psql "${psql_args[@]}" -c "create database monitor"
fi

echo "==> migrating" >&2
"${monitor[@]}" migrate

echo "==> Monitor is starting at $ASPNETCORE_URLS (Ctrl-C to stop)" >&2
"${monitor[@]}" run &
service=$!
wait "$service"
