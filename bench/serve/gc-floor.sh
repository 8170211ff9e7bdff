#!/usr/bin/env bash
# The one-connection floor: what `wrk -c1`'s p99 is for `lathe serve` on an endpoint that allocates almost nothing of
# Lathe's own (GET /healthz: ASP.NET Core's and the metrics' objects only), beside /v1/predict and the peer's
# /v1/predict, in ROUNDS alternations. For each Lathe run it reads /metrics before and after and prints the gen-0
# collections per 1,000 requests and the pause each (dotnet_collection_count_total, dotnet_gc_pause_seconds_total):
# the floor says how low any predict path could bring the one-connection p99 on this machine by allocating less
# (docs/serving.md, "The floor").
#
#   DURATION=6 ROUNDS=3 MODEL=penguins PEER_CONFIG=1x1 bench/serve/gc-floor.sh
#
# Uses the bundle and body bench/serve/run.sh leaves in WORK (default runs/servebench). LATHE_ENV (e.g.
# "DOTNET_GCgen0size=0x2000000") is set for Lathe only. Needs wrk and the peer's Debian packages (see run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-6}
rounds=${ROUNDS:-3}
model=${MODEL:-penguins}
peer_config=${PEER_CONFIG:-1x1}
work=${WORK:-runs/servebench}
port=${PORT:-18080}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 BODY_FILE="$work/body-$model.json"
[[ -f "$work/$model/model.lathe" && -f "$BODY_FILE" ]] || { echo "no $work/$model/model.lathe or $BODY_FILE: run bench/serve/run.sh first" >&2; exit 1; }
dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
log=$(mktemp)
server=""
stop() { if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi; }
trap 'stop; rm -f "$log"' EXIT

start() {
  "$@" > "$log" 2>&1 &
  server=$!
  for _ in $(seq 240); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && return; sleep 0.5; done
  echo "the server did not get ready:" >&2; tail -n 20 "$log" >&2; exit 1
}
# Gen-0 collections so far and seconds paused, from Lathe's /metrics.
collections() {
  curl -s "http://127.0.0.1:$port/metrics" |
    awk '/^dotnet_collection_count_total\{generation="0"\}/{g=$2} /^dotnet_gc_pause_seconds_total/{p=$2} END{print g, p}'
}
# run NAME METHOD PATH [lathe]: warm-up, then DURATION seconds of wrk -c1; one line of figures.
run() {
  local name=$1 method=$2 path=$3 lathe=${4:-}
  METHOD=$method URL_PATH=$path wrk -t1 -c1 -d3s -s bench/serve/post.lua "http://127.0.0.1:$port" > /dev/null
  local g0=0 p0=0 g1=0 p1=0
  [[ -n "$lathe" ]] && read -r g0 p0 < <(collections)
  local out
  out=$(METHOD=$method URL_PATH=$path wrk -t1 -c1 -d"${duration}s" -s bench/serve/post.lua "http://127.0.0.1:$port" | tail -n 1)
  [[ -n "$lathe" ]] && read -r g1 p1 < <(collections)
  /usr/bin/python3 - "$name" "$out" "$g0" "$p0" "$g1" "$p1" <<'PY'
import json, sys
name, out = sys.argv[1], json.loads(sys.argv[2])
g0, p0, g1, p1 = map(float, sys.argv[3:])
line = f"{name:<28} {out['rps']:8.0f} req/s  p50 {out['p50_ms']:.3f}  p99 {out['p99_ms']:.3f} ms"
if out['non2xx'] or out['socket_errors']: line += f"  ({out['non2xx']} non-2xx, {out['socket_errors']} socket errors)"
if g1 > g0: line += f"  | {1000 * (g1 - g0) / out['requests']:.2f} gen-0 collections a 1,000 requests, {1000 * (p1 - p0) / (g1 - g0):.2f} ms each"
print(line, flush=True)
PY
}

workers=${peer_config%x*} threads=${peer_config#*x}
for round in $(seq "$rounds"); do
  echo "round $round, $(date -u +%H:%M:%S)"
  # shellcheck disable=SC2086
  start env ${LATHE_ENV:-} dotnet src/Lathe.Cli/bin/Release/net10.0/lathe.dll serve "$work/$model/model.lathe" --urls "http://127.0.0.1:$port" --threads 1
  run "lathe GET /healthz" GET /healthz lathe
  run "lathe POST /v1/predict" POST /v1/predict lathe
  stop
  start env OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=536870912 \
    /usr/bin/python3 bench/serve/peer.py "$work/$model/model.lathe" --port "$port" --workers "$workers" --threads "$threads"
  run "peer $peer_config POST /v1/predict" POST /v1/predict
  stop
done
