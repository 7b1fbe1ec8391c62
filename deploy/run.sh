#!/usr/bin/env bash
# The README's run command: a private PostgreSQL on loopback, the schema migrated, the service up with the
# offline demo (sample sources, a demo team, recorded regression runs, digests in .data/mail).
# Data stays in .data/ at the repository root (delete it to start over). Ctrl-C stops everything.
# Env: MONITOR_DEMO (1; 0 = the real sources, fetched from the internet), MONITOR_PG_PORT (55432),
#      ASPNETCORE_URLS (http://127.0.0.1:5080), MONITOR_DATA (.data), Auth__AdminToken (generated once).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${MONITOR_DATA:-$root/.data}
port=${MONITOR_PG_PORT:-55432}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:5080}
export ConnectionStrings__Monitor=${ConnectionStrings__Monitor:-Host=127.0.0.1;Port=$port;Database=monitor;Username=postgres}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export Mail__PickupDirectory=${Mail__PickupDirectory:-$data/mail}
export Reports__BaseUrl=${Reports__BaseUrl:-${ASPNETCORE_URLS%%;*}}
if [ "${MONITOR_DEMO:-1}" != 0 ]; then
  export Demo__Enabled=true Demo__TokenFile=$data/demo-team-token
fi

mkdir -p "$data"
# The admin token: generated once, kept in a file only its owner can read.
if [ -z "${Auth__AdminToken:-}" ]; then
  [ -s "$data/admin-token" ] || (umask 077 && openssl rand -hex 24 > "$data/admin-token")
  Auth__AdminToken=$(cat "$data/admin-token")
  export Auth__AdminToken
fi
service=
cleanup() {
  trap - EXIT INT TERM
  [ -n "$service" ] && kill -TERM "$service" 2>/dev/null && wait "$service" 2>/dev/null || true
  [ -n "${postgres:-}" ] && wait "$postgres" 2>/dev/null || true   # a start still under way finishes first
  echo "==> stopping PostgreSQL" >&2
  "$root/deploy/postgres.sh" stop "$data/postgres"
}
trap cleanup EXIT INT TERM

# PostgreSQL starts (initdb on the first run) while the service builds.
echo "==> starting PostgreSQL on 127.0.0.1:$port (data in $data/postgres) and building Monitor" >&2
"$root/deploy/postgres.sh" start "$data/postgres" "$port" &
postgres=$!
# The analyzers and code-style checks are for CI and the test command (warnings are errors there); running the
# service does not need them, and they are a third of a cold build.
dotnet build "$root/src/ModelMonitor/ModelMonitor.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly -p:RunAnalyzers=false >&2
wait "$postgres"
monitor=(dotnet "$root/src/ModelMonitor/bin/Release/net10.0/monitor.dll")

psql_args=(-h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq)
if ! psql "${psql_args[@]}" -c "select 1 from pg_database where datname = 'monitor'" | grep -q 1; then
  psql "${psql_args[@]}" -c "create database monitor"
fi

echo "==> migrating" >&2
"${monitor[@]}" migrate

echo "==> Monitor is starting at $ASPNETCORE_URLS (Ctrl-C to stop)" >&2
"${monitor[@]}" run &
service=$!
url=${ASPNETCORE_URLS%%;*}
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$url/health" 2>/dev/null && break
  kill -0 "$service" 2>/dev/null || break
  sleep 0.5
done
if [ "${MONITOR_DEMO:-1}" != 0 ]; then
  for _ in $(seq 1 60); do [ -s "$data/demo-team-token" ] && break; kill -0 "$service" 2>/dev/null || break; sleep 0.5; done
  cat >&2 <<EOF
==> Monitor is up with the offline demo:
      dashboard      $url/
      demo report    $url/teams/demo/apps/support-bot
      log in at      $url/login with the demo team's token: $(cat "$data/demo-team-token" 2>/dev/null || echo "(not written yet: see the log)")
                     (the admin token, which sees everything, is in $data/admin-token)
      demo emails    $Mail__PickupDirectory/*.eml
EOF
else
  echo "==> Monitor is up at $url/ (admin token in $data/admin-token)" >&2
fi
wait "$service"
