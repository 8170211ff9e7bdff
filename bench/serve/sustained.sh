#!/usr/bin/env bash
# R25 (docs: reliability.md): sustained load on `lathe serve`. Serves the penguins model (trained here from
# examples/penguins.yaml, or MODEL=path/to/model.lathe), then runs wrk for DURATION seconds (default 60) at
# CONNECTIONS (default 64) connections, each POSTing one real penguins record (the first complete row of
# penguins.json, its target left out). Every second it samples the server's RSS (ps) and lathe_live_tensors
# (GET /metrics). Prints wrk's errors and non-2xx count, the RSS slope after WARMUP seconds (default 10) in MB/min
# (least squares), the RSS and live-tensor ranges, and the mean micro-batch size. R25 asks for 0 errors, a slope
# under 1 MB/min and a flat live-tensor count.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-60}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
warmup=${WARMUP:-10}
port=${PORT:-18425}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl (apt-get install curl)" >&2; exit 1; }
dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
lathe="dotnet $PWD/src/Lathe.Cli/bin/Release/net10.0/lathe.dll"
base="http://127.0.0.1:$port"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    # SIGTERM, which lathe serve drains on as on Ctrl+C: a background job of a script ignores SIGINT, and the server was left running.
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

model=${MODEL:-}
if [ -z "$model" ]; then
  echo "training the penguins model (examples/penguins.yaml)" >&2
  $lathe train examples/penguins.yaml --out "$work/run" >/dev/null
  model="$work/run/model.lathe"
fi

$lathe serve "$model" --urls "$base" --no-watch >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 120); do
  curl -sf "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$base/readyz" >/dev/null || { echo "the server was not ready within 60 s" >&2; cat "$work/serve.log" >&2; exit 1; }

# One real record: the first penguins row with every value present, as JSON, the target left out.
record=$(/usr/bin/python3 - <<'EOF'
import json
rows = json.load(open("data/vega-datasets/data/penguins.json"))
row = next(r for r in rows if all(v is not None for v in r.values()))
row.pop("Species")
print(json.dumps(row))
EOF
)
status=$(curl -s -o "$work/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' -d "$record" "$base/v1/predict")
[ "$status" = 200 ] || { echo "the record was answered $status: $(cat "$work/answer.json")" >&2; exit 1; }
echo "record: $record" >&2
echo "answer: $(cat "$work/answer.json")" >&2

cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$record]]
EOF

wrk -t "$wrk_threads" -c "$connections" -d "${duration}s" --latency -s "$work/post.lua" "$base/v1/predict" >"$work/wrk.txt" &
load=$!
start=$(date +%s.%N)
: >"$work/samples.txt"
while kill -0 "$load" 2>/dev/null; do
  now=$(date +%s.%N)
  rss=$(ps -o rss= -p "$server" | tr -d ' ')
  tensors=$(curl -s --max-time 2 "$base/metrics" | awk '$1 == "lathe_live_tensors" { print $2 }')
  echo "$(echo "$now - $start" | bc) $rss ${tensors:-NA}" >>"$work/samples.txt"
  sleep 1
done
wait "$load"

cat "$work/wrk.txt"
echo
metrics=$(curl -s "$base/metrics")
rows=$(echo "$metrics" | awk '$1 == "lathe_batch_rows_sum" { print $2 }')
passes=$(echo "$metrics" | awk '$1 == "lathe_batch_rows_count" { print $2 }')
errors=$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print; found = 1 } END { if (!found) print "none" }' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ { print $NF; found = 1 } END { if (!found) print 0 }' "$work/wrk.txt")
echo "socket errors: $errors"
echo "non-2xx responses: $non2xx"
# By status, as the server counted them (prometheus-net's request counter), and the requests it shed.
echo "server's answers by status: $(echo "$metrics" | awk -F'[{}]' '/^http_requests_received_total\{/ && /endpoint="\/v1\/predict"/ {
    match($2, /code="[0-9]+"/); code = substr($2, RSTART + 6, 3); split($3, v, " "); n[code] += v[1] }
  END { for (c in n) printf "%s × %d  ", c, n[c] }')"
echo "shed (503): $(echo "$metrics" | awk '$1 == "lathe_shed_requests_total" { print $2 }')"
awk -v warmup="$warmup" '
  $1 >= warmup { n++; x = $1 / 60; y = $2 / 1024; sx += x; sy += y; sxx += x * x; sxy += x * y
                 if (min == "" || y < min) min = y; if (y > max) max = y }
  $3 != "NA" { if (!seen || $3 < tmin) tmin = $3; if (!seen || $3 > tmax) tmax = $3; seen = 1 }
  END {
    if (n < 2) { print "too few samples after the warm-up"; exit 1 }
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    printf "RSS after %d s warm-up: %d samples, %.1f to %.1f MB, slope %.2f MB/min\n", warmup, n, min, max, slope
    printf "lathe_live_tensors: %s to %s\n", tmin, tmax
  }' "$work/samples.txt"
echo "micro-batches: $passes forward passes for $rows rows ($(echo "scale=2; $rows / $passes" | bc) rows a pass)"
