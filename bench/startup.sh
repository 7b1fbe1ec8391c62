#!/usr/bin/env bash
# Start-up and idle memory of the service (issue 2's targets: /health answering in under 3 s, idle RSS).
# Builds Release, starts a private PostgreSQL in a temporary folder, migrates, then RUNS times: starts
# `monitor run`, times the first 200 from /health, samples RSS after IDLE_SECONDS, stops. Cleans up after itself.
# Env: RUNS (3), IDLE_SECONDS (30), MONITOR_PG_PORT (55477), PORT (5077).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3} idle=${IDLE_SECONDS:-30} pgport=${MONITOR_PG_PORT:-55477} port=${PORT:-5077}
data=$(mktemp -d)
export ConnectionStrings__Monitor="Host=127.0.0.1;Port=$pgport;Database=postgres;Username=postgres"
export ASPNETCORE_URLS=http://127.0.0.1:$port Scheduling__Enabled=true DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export Sources__openai__Enabled=false Mail__PickupDirectory=$data/mail
dotnet build "$root/src/ModelMonitor/ModelMonitor.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
monitor=(dotnet "$root/src/ModelMonitor/bin/Release/net10.0/monitor.dll")
"$root/deploy/postgres.sh" start "$data/pg" "$pgport" >&2
trap '"$root/deploy/postgres.sh" stop "$data/pg" >&2; rm -rf "$data"' EXIT
"${monitor[@]}" migrate >/dev/null 2>&1
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "${monitor[@]}" run >/dev/null 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "monitor exited before /health answered" >&2; exit 1; }
    sleep 0.02
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep "$idle"
  rss=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  echo "run $i: /health answered after $ms ms; RSS after ${idle} s idle: $rss MiB"
done
