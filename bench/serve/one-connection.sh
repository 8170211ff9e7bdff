#!/usr/bin/env bash
# One connection, every request's own latency: `lathe serve` and the FastAPI + uvicorn + PyTorch peer in turn, each
# warmed up with wrk, then `onelat` (bench/serve/onelat.c, one keep-alive connection, back to back like `wrk -c1`)
# for DURATION seconds; bench/serve/onelat.py prints the raw percentiles, the p99 wrk would report for the same run
# (after its coordinated-omission correction), and the share of the run spent in slow answers, by how slow. This is
# how the one-connection p99 of bench/serve/run.sh was taken apart (docs/serving.md, "One connection, every request").
#
#   DURATION=8 MODELS="penguins fashion-mnist" PEER_CONFIGS="1x1 1x2" ROUNDS=1 WARMUP=3 bench/serve/one-connection.sh
#
# Uses the bundles and bodies bench/serve/run.sh leaves in WORK (default runs/servebench); run that once first.
# LATHE_ENV (e.g. "DOTNET_GCgen0size=0x100000") is set for Lathe only. Needs gcc, wrk and the peer's Debian packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-8}
warmup=${WARMUP:-3}
models=${MODELS:-"penguins fashion-mnist"}
peer_configs=${PEER_CONFIGS:-"1x1 1x2"}
rounds=${ROUNDS:-1}
work=${WORK:-runs/servebench}
port=${PORT:-18080}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for model in $models; do
  [[ -f "$work/$model/model.lathe" && -f "$work/body-$model.json" ]] ||
    { echo "no $work/$model/model.lathe or $work/body-$model.json: run bench/serve/run.sh first" >&2; exit 1; }
done
out=$(mktemp -d)
gcc -O2 -o "$out/onelat" bench/serve/onelat.c
dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
server=""
stop() { if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi; }
trap 'stop; rm -rf "$out"' EXIT

# measure NAME MODEL COMMAND...: starts the server, waits for /readyz, warms up, records, prints the analysis.
measure() {
  local name=$1 model=$2; shift 2
  "$@" > "$out/server.log" 2>&1 &
  server=$!
  for _ in $(seq 240); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.5; done
  curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" || { echo "$name did not get ready:" >&2; tail -n 20 "$out/server.log" >&2; exit 1; }
  BODY_FILE="$work/body-$model.json" wrk -t1 -c1 -d"${warmup}s" -s bench/serve/post.lua "http://127.0.0.1:$port" > /dev/null
  "$out/onelat" 127.0.0.1 "$port" "$work/body-$model.json" "$duration" "$out/latencies.txt"
  stop
  /usr/bin/python3 bench/serve/onelat.py "$out/latencies.txt" "$model, $name"
}

for round in $(seq "$rounds"); do
  for model in $models; do
    bundle="$work/$model/model.lathe"
    # shellcheck disable=SC2086
    measure lathe "$model" env ${LATHE_ENV:-} dotnet src/Lathe.Cli/bin/Release/net10.0/lathe.dll serve "$bundle" --urls "http://127.0.0.1:$port" --threads 1
    for config in $peer_configs; do
      workers=${config%x*} threads=${config#*x}
      measure "peer $config" "$model" env OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
        MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=536870912 \
        /usr/bin/python3 bench/serve/peer.py "$bundle" --port "$port" --workers "$workers" --threads "$threads"
    done
  done
done
