#!/usr/bin/env bash
# Serving: `lathe serve` against the same bundle served by FastAPI + uvicorn + PyTorch (bench/serve/peer.py), side by
# side in one run, on the penguins MLP and the Fashion-MNIST CNN.
#
# First the peer is checked against `lathe predict` (bench/serve/check.py: the penguins test rows, 1,000 Fashion-MNIST
# test images; probabilities equal to 1e-5). Then per model, each server in turn on a loopback port: started, waited for (GET /readyz), one request checked (200, and
# the two servers' probabilities equal to 1e-5), warmed up (WARMUP seconds of wrk), then wrk at each of CONNECTIONS
# for DURATION seconds, POSTing one real record (a penguins test row; a Fashion-MNIST test image as base64 raw pixels).
# Servers: Lathe with micro-batching on (its defaults) and off (--max-batch-size 1), each with the libtorch thread
# counts of LATHE_THREADS (--threads; its default is 1, and .NET keeps every core for Kestrel), and the peer in each of PEER_CONFIGS
# (WORKERSxTORCH_THREADS, uvloop + httptools, TCP_NODELAY forced on). The table compares each side's best
# configuration at each connection count (the highest requests/s; its p50 and p99 beside it), then lists every run.
# A run with any non-2xx answer or socket error says so and exits 1. REPEATS (default 1) runs wrk that many times at each
# connection count, back to back on the same server; the table then takes each configuration's median requests/s, p50
# and p99 over its runs. This machine's host stops a busy VM for 100 ms at a time (docs/serving.md, "The host's
# 100 ms stops"), and one stop in a 10 s run at one connection lifts wrk's p99 by tens of milliseconds, whichever
# server it lands on; the median of three runs is what one connection's p99 is compared by.
#
#   DURATION=15 CONNECTIONS="1 16 64" WRK_THREADS=1 WARMUP=3 LATHE_THREADS="1 2" PEER_CONFIGS="1x1 1x2 2x1" bench/serve/run.sh
#
# SERVERS (default "lathe peer") runs one side alone ("peer" before `lathe serve` exists). MODELS (default "penguins fashion-mnist") picks the models; FASHION_EPOCHS (default 1) shortens the
# CNN's training (the architecture is examples/fashion-mnist.yaml's; accuracy does not matter here). The bundles are
# trained once into WORK (default runs/servebench) and reused. PEER_ENV (e.g. "MALLOC_MMAP_THRESHOLD_=33554432
# MALLOC_TRIM_THRESHOLD_=536870912", the glibc settings Lathe applies to itself) is set for the peer only. Needs wrk and Debian's python3-fastapi, python3-uvicorn,
# python3-uvloop, python3-httptools, python3-torch over libopenblas0-openmp.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-15}
connections=${CONNECTIONS:-"1 16 64"}
wrk_threads=${WRK_THREADS:-1}
warmup=${WARMUP:-3}
repeats=${REPEATS:-1}
peer_configs=${PEER_CONFIGS:-"1x1 1x2 2x1"}
lathe_threads=${LATHE_THREADS:-"1 2"}
models=${MODELS:-"penguins fashion-mnist"}
fashion_epochs=${FASHION_EPOCHS:-1}
servers=${SERVERS:-"lathe peer"}
work=${WORK:-runs/servebench}
port=${PORT:-18080}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
python=/usr/bin/python3
clk_tck=$(getconf CLK_TCK)

command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
$python -c "import fastapi, uvicorn, torch, uvloop, httptools" 2>/dev/null ||
  { echo "needs Debian's python3-fastapi python3-uvicorn python3-torch python3-uvloop python3-httptools" >&2; exit 1; }
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)
case "$blas" in *openblas*) ;; *) echo "libblas.so.3 is $blas, not OpenBLAS: PyTorch would be far slower (apt-get install libopenblas0-openmp)" >&2; exit 1;; esac
dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
dotnet build -c Release -v q --nologo bench/Lathe.Bench >/dev/null
lathe=(dotnet "$PWD/src/Lathe.Cli/bin/Release/net10.0/lathe.dll")
bench=(dotnet "$PWD/bench/Lathe.Bench/bin/Release/net10.0/Lathe.Bench.dll")
mkdir -p "$work"
work=$(cd "$work" && pwd)
results="$work/results.jsonl"
: > "$results"
server=""

stop() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap stop EXIT

# ready LOG: waits up to 120 s for GET /readyz to answer 200; fails with the server's log when it exits or times out.
ready() {
  for _ in $(seq 240); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/readyz"; then return 0; fi
    if ! kill -0 "$server" 2>/dev/null; then echo "the server exited before it was ready:" >&2; tail -n 20 "$1" >&2; exit 1; fi
    sleep 0.5
  done
  echo "the server was not ready after 120 s:" >&2; tail -n 20 "$1" >&2; exit 1
}

# cpu_ticks: the CPU time (user + system, in clock ticks) the server and its worker processes have used so far.
cpu_ticks() {
  local pids total=0 pid fields
  pids="$server $(pgrep -P "$server" | tr '\n' ' ')"
  for pid in $pids; do
    # Fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    set -- $fields
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}

# measure MODEL NAME CONFIG BODY: one request checked, the warm-up, then wrk at each connection count.
measure() {
  local model=$1 name=$2 config=$3 body=$4 status
  status=$(curl -s -o "$work/answer-$model-$name.json" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$body" "http://127.0.0.1:$port/v1/predict")
  [[ "$status" == 200 ]] || { echo "$name answered $status: $(head -c 300 "$work/answer-$model-$name.json")" >&2; exit 1; }
  BODY_FILE=$body wrk -t1 -c16 -d"${warmup}s" -s bench/serve/post.lua "http://127.0.0.1:$port" >/dev/null
  for c in $connections; do
    local t=$(( c < wrk_threads ? c : wrk_threads ))
    for repeat in $(seq "$repeats"); do
      echo "  $model, $name $config, $c connection(s), run $repeat of $repeats" >&2
      local before after
      before=$(cpu_ticks)
      line=$(BODY_FILE=$body wrk -t"$t" -c"$c" -d"${duration}s" -s bench/serve/post.lua "http://127.0.0.1:$port" | tail -n 1)
      after=$(cpu_ticks)
      # The server's CPU milliseconds per answer: what a request costs, less moved by other load than requests/s.
      echo "{\"model\":\"$model\",\"server\":\"$name\",\"config\":\"$config\",\"connections\":$c,\"repeat\":$repeat,\"cpu_ms\":$(( (after - before) * 1000 / clk_tck )),\"result\":$line}" >> "$results"
    done
  done
}

for model in $models; do
  case $model in
    penguins)
      if [[ ! -f "$work/penguins/model.lathe" ]]; then
        echo "training the penguins model" >&2
        "${lathe[@]}" train examples/penguins.yaml --out "$work/penguins" >/dev/null
      fi
      # The peer's probabilities against `lathe predict` on the test rows; the first test row is the bench's record.
      if [[ ! -f "$work/penguins-prepared/test.parquet" ]]; then
        "${lathe[@]}" prepare examples/penguins.yaml --out "$work/penguins-prepared" >/dev/null
      fi
      "${bench[@]}" to-csv "$work/penguins-prepared/test.parquet" "$work/penguins-test.csv" >/dev/null
      $python bench/serve/check.py table "$work/penguins/model.lathe" data/vega-datasets/data/penguins.json "$work/penguins-test.csv" "$work" "${lathe[@]}" | tee "$work/check-penguins.txt" >&2
      $python -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))[0]))' "$work/test-rows.json" > "$work/body-penguins.json"
      ;;
    fashion-mnist)
      if [[ ! -f "$work/fashion-mnist/model.lathe" ]]; then
        echo "training the Fashion-MNIST CNN ($fashion_epochs epoch(s))" >&2
        sed -E "s/^  epochs: [0-9]+/  epochs: $fashion_epochs/" examples/fashion-mnist.yaml > "$work/fashion-mnist.yaml"
        "${lathe[@]}" train "$work/fashion-mnist.yaml" --out "$work/fashion-mnist" >/dev/null
      fi
      $python bench/serve/check.py images "$work/fashion-mnist/model.lathe" /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz 1000 "$work" "${lathe[@]}" | tee "$work/check-fashion-mnist.txt" >&2
      # The first test image (an ankle boot), its raw 28x28 pixels as base64, under the bundle's image column name.
      $python - "$work/fashion-mnist/model.lathe" "$work/body-fashion-mnist.json" <<'PY'
import base64, gzip, json, sys, zipfile
column = json.loads(zipfile.ZipFile(sys.argv[1]).read("pipeline.json"))["pipeline"]["image"]
raw = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()
pixels = raw[16:16 + 28 * 28]
json.dump({column: base64.b64encode(pixels).decode()}, open(sys.argv[2], "w"))
PY
      ;;
    *) echo "MODELS: unknown model '$model' (penguins, fashion-mnist)" >&2; exit 1;;
  esac
  bundle="$work/$model/model.lathe"
  body="$work/body-$model.json"

  for torch_threads in $lathe_threads; do
    for batching in on off; do
      [[ " $servers " == *" lathe "* ]] || break 2
      echo "$model: lathe serve, micro-batching $batching, $torch_threads torch thread(s)" >&2
      args=()
      [[ $batching == off ]] && args=(--max-batch-size 1)
      log="$work/lathe-$model-$batching-$torch_threads.log"
      OMP_NUM_THREADS=$torch_threads MKL_NUM_THREADS=$torch_threads OPENBLAS_NUM_THREADS=$torch_threads \
        "${lathe[@]}" serve "$bundle" --urls "http://127.0.0.1:$port" --threads "$torch_threads" "${args[@]}" > "$log" 2>&1 &
      server=$!
      ready "$log"
      measure "$model" "lathe-batching-$batching" "$torch_threads" "$body"
      stop
    done
  done
  for config in $peer_configs; do
    [[ " $servers " == *" peer "* ]] || break
    workers=${config%x*}
    torch_threads=${config#*x}
    echo "$model: FastAPI peer, $workers worker(s) x $torch_threads torch thread(s)" >&2
    OMP_NUM_THREADS=$torch_threads MKL_NUM_THREADS=$torch_threads OPENBLAS_NUM_THREADS=$torch_threads \
      env ${PEER_ENV:-} $python bench/serve/peer.py "$bundle" --port "$port" --workers "$workers" --threads "$torch_threads" > "$work/peer-$model-$config.log" 2>&1 &
    server=$!
    ready "$work/peer-$model-$config.log"
    measure "$model" "peer" "$config" "$body"
    stop
  done
  # Both servers' answers to the bench's record: the same classes and probabilities (to 1e-5).
  if [[ " $servers " == *" lathe "* && " $servers " == *" peer "* ]]; then
    $python - "$work/answer-$model-lathe-batching-on.json" "$work/answer-$model-peer.json" <<'PY'
import json, sys
ours, theirs = (json.load(open(p)) for p in sys.argv[1:])
if ours["prediction"] != theirs["prediction"] or ours["probabilities"].keys() != theirs["probabilities"].keys():
    sys.exit(f"the servers disagree: lathe {ours}, peer {theirs}")
gap = max(abs(ours["probabilities"][k] - theirs["probabilities"][k]) for k in ours["probabilities"])
if gap > 1e-5:
    sys.exit(f"the servers' probabilities differ by {gap:.2g}: lathe {ours}, peer {theirs}")
print(f"both servers answer {ours['prediction']}, probabilities within {gap:.1g}", file=sys.stderr)
PY
  fi
done

$python bench/serve/table.py "$results"
