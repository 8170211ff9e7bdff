#!/usr/bin/env bash
# R22 and R24 of reliability.md at their T2 figures, against a real `lathe serve` on a loopback port, driven open-loop
# by bench/Lathe.Load (wrk's clients wait for their answers, so wrk slows down with the server and cannot overload it).
# Each check prints what it saw and PASS/FAIL per criterion; the script exits 1 when any fails.
#
# r22  Overload. A ResNet (blocks of 64, 128 and 256 channels) trained for one epoch on Fashion-MNIST's 10,000 test
#      images (accuracy does not matter here) is served on core 0 (taskset) with the default shedding settings
#      (--max-latency-ms 200, --max-queue 256). Its capacity (answers 200 a second) is measured with wrk at 64
#      connections for CAPACITY_SECONDS (10) from core 1; then the driver, also on core 1, sends OVERLOAD (3) × that
#      many requests a second for DURATION (60) seconds, probing /readyz every 100 ms. (The model is a large one so
#      that three times its capacity is a rate one core can send: at 3 × the small CNN's 1,900 a second the driver
#      itself saturated, and its own delays would have been counted as the server's.)
# r24  Hot reload under load. The penguins model (examples/penguins.yaml) and a second one (seed 7) are trained; the
#      server runs with --no-watch so that every reload is an admin one; RELOADS (100) reloads alternate a valid
#      bundle with a corrupt one (truncated to half; one byte flipped), moved over the served file in one rename,
#      while the driver sends RATE (200) requests a second and /readyz is probed every 20 ms.
#
#   CHECKS="r22 r24" bench/serve/reliability.sh      (about 6 minutes on 2 cores, training included)
#
# Bundles are trained once into WORK (default runs/reliability) and reused. Needs wrk, taskset and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
checks=${CHECKS:-"r22 r24"}
seconds=${DURATION:-60}
capacity_seconds=${CAPACITY_SECONDS:-10}
overload=${OVERLOAD:-3}
rate=${RATE:-200}
reloads=${RELOADS:-100}
work=${WORK:-runs/reliability}
port=${PORT:-18431}
base="http://127.0.0.1:$port"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for tool in wrk taskset curl; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
dotnet build -c Release -v q --nologo bench/Lathe.Load >/dev/null
lathe=(dotnet "$PWD/src/Lathe.Cli/bin/Release/net10.0/lathe.dll")
load=(dotnet "$PWD/bench/Lathe.Load/bin/Release/net10.0/Lathe.Load.dll")
mkdir -p "$work"
work=$(cd "$work" && pwd)
server=""
stop_server() {
  if [[ -n "$server" ]]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap stop_server EXIT

# serve CPUS BUNDLE ARGS...: `lathe serve` on the given cores, waited for until /readyz answers 200.
serve() {
  local cpus=$1 bundle=$2
  shift 2
  taskset -c "$cpus" "${lathe[@]}" serve "$bundle" --urls "$base" "$@" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 240); do
    curl -sf -o /dev/null "$base/readyz" && return 0
    kill -0 "$server" 2>/dev/null || { echo "the server exited:" >&2; tail -n 20 "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the server was not ready after 120 s" >&2; exit 1
}

# answer BODY: POSTs the body once and fails unless it is answered 200.
answer() {
  local status
  status=$(curl -s -o "$work/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$1" "$base/v1/predict")
  [[ $status == 200 ]] || { echo "the bench's record was answered $status: $(cat "$work/answer.json")" >&2; exit 1; }
}

failed=0
for check in $checks; do
  case $check in
    r22)
      if [[ ! -f "$work/resnet/model.lathe" ]]; then
        echo "training the ResNet (one epoch on 8,000 images)" >&2
        cat >"$work/resnet.yaml" <<'YAML'
task: classification
target: label
seed: 42
data:
  path: /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
  labels: /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
  split: { train: 0.8, validation: 0.1, test: 0.1 }
model:
  kind: resnet
  channels: [64, 128, 256]
training:
  epochs: 1
  batch_size: 128
YAML
        "${lathe[@]}" train "$work/resnet.yaml" --out "$work/resnet" >/dev/null
      fi
      # The first test image (in the training data; it does not matter here), its raw 28x28 pixels as base64, under the bundle's image column name.
      /usr/bin/python3 - "$work/resnet/model.lathe" "$work/body-resnet.json" <<'PY'
import base64, gzip, json, sys, zipfile
column = json.loads(zipfile.ZipFile(sys.argv[1]).read("pipeline.json"))["pipeline"]["image"]
raw = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()
json.dump({column: base64.b64encode(raw[16:16 + 28 * 28]).decode()}, open(sys.argv[2], "w"))
PY
      body="$work/body-resnet.json"
      serve 0 "$work/resnet/model.lathe" --no-watch
      answer "$body"
      BODY_FILE=$body taskset -c 1 wrk -t1 -c64 -d3s -s bench/serve/post.lua "$base" >/dev/null
      capacity=$(BODY_FILE=$body taskset -c 1 wrk -t1 -c64 -d"${capacity_seconds}s" -s bench/serve/post.lua "$base" | tail -n 1 |
        /usr/bin/python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); print(round((r["requests"] - r["non2xx"]) / r["seconds"]))')
      offered=$(( capacity * overload ))
      echo "== R22: capacity $capacity answers 200 a second (wrk, 64 connections, server on core 0), offering $offered a second for $seconds s"
      taskset -c 1 "${load[@]}" overload "$base" "$body" "$offered" "$seconds" 200 || failed=1
      stop_server
      ;;
    r24)
      for seed in 42 7; do
        if [[ ! -f "$work/penguins-$seed/model.lathe" ]]; then
          echo "training the penguins model (seed $seed)" >&2
          sed -E -e "s/^seed: [0-9]+/seed: $seed/" -e "s#path: \.\./data/#path: $PWD/data/#" examples/penguins.yaml >"$work/penguins-$seed.yaml"
          "${lathe[@]}" train "$work/penguins-$seed.yaml" --out "$work/penguins-$seed" >/dev/null
        fi
      done
      valid_a="$work/penguins-42/model.lathe" valid_b="$work/penguins-7/model.lathe"
      head -c $(( $(stat -c %s "$valid_a") / 2 )) "$valid_a" >"$work/truncated.lathe"
      /usr/bin/python3 - "$valid_a" "$work/flipped.lathe" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 0xFF
open(sys.argv[2], "wb").write(data)
PY
      /usr/bin/python3 -c 'import json, sys
row = next(r for r in json.load(open(sys.argv[1])) if all(v is not None for v in r.values()))
row.pop("Species"); print(json.dumps(row))' data/vega-datasets/data/penguins.json >"$work/body-penguins.json"
      mkdir -p "$work/served" && cp "$valid_a" "$work/served/model.lathe"
      serve 0-1 "$work/served/model.lathe" --no-watch
      answer "$work/body-penguins.json"
      echo "== R24: $reloads reloads during $rate requests a second"
      "${load[@]}" reload "$base" "$work/body-penguins.json" "$rate" "$work/served/model.lathe" "$reloads" \
        "$valid_a" "$valid_b" "$work/truncated.lathe" "$work/flipped.lathe" || failed=1
      stop_server
      ;;
    *) echo "CHECKS: unknown check '$check' (r22, r24)" >&2; exit 1;;
  esac
done
exit $failed
