#!/usr/bin/env bash
# `lathe predict` on all of flights-3m (3 million rows): the streamed path (this tree) against the whole-table path
# it replaced (commit BASE, default c3464dd, exported to a temporary folder and built; or OLD=path/to/lathe.dll), to CSV and to
# Parquet, from Parquet and from CSV. Each measurement is one process; wall time and peak resident memory are what
# /usr/bin/time reports. A model is first trained on SAMPLE rows (default 100,000) of the CSV.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${THREADS:-2}
sample=${SAMPLE:-100000}
base=${BASE:-c3464dd}
export OMP_NUM_THREADS=$threads DOTNET_PROCESSOR_COUNT=$threads DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=/tmp/lathe-bench-predict
mkdir -p "$work"

dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
lathe="dotnet $PWD/src/Lathe.Cli/bin/Release/net10.0/lathe.dll"
if [ -z "${OLD:-}" ]; then
  rm -rf "$work/base" && mkdir -p "$work/base" && git archive "$base" | tar -x -C "$work/base"
  dotnet build -c Release -v q --nologo "$work/base/src/Lathe.Cli" >/dev/null
  OLD=$work/base/src/Lathe.Cli/bin/Release/net10.0/lathe.dll
fi
old="dotnet $OLD"

parquet=data/vega-datasets/data/flights-3m.parquet
csv=${CSV:-bench/data/flights-3m.csv}
if [ ! -f "$csv" ]; then
  dotnet build -c Release -v q --nologo bench/Lathe.Bench >/dev/null
  mkdir -p "$(dirname "$csv")"
  dotnet bench/Lathe.Bench/bin/Release/net10.0/Lathe.Bench.dll to-csv "$parquet" "$csv"
fi
head -n $((sample + 1)) "$csv" > "$work/flights-sample.csv"
[ -f "$work/run/model.lathe" ] || $lathe train bench/predict/flights.yaml --out "$work/run" > "$work/train.log"
model=$work/run/model.lathe

rounds=${ROUNDS:-2}
results=$work/results
: > "$results"
measure() { # label, output, command...
  local label=$1 out=$2; shift 2
  rm -f "$out"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
  read -r wall rss < "$work/time"
  echo "$label|$wall|$rss|$(du -m "$out" | cut -f1)|$(cut -d' ' -f1 /proc/loadavg)" >> "$results"
  echo "  $label: $wall s, peak $((rss / 1024)) MiB, load $(cut -d' ' -f1 /proc/loadavg)" >&2
}
# The two paths alternate, so that a shared machine's changing load falls on both alike.
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  measure "streamed, Parquet → CSV" "$work/p.csv" $lathe predict "$model" --data "$parquet" --out "$work/p.csv"
  measure "whole table ($base), Parquet → CSV" "$work/old-p.csv" $old predict "$model" --data "$parquet" --out "$work/old-p.csv"
  measure "streamed, CSV → CSV" "$work/c.csv" $lathe predict "$model" --data "$csv" --out "$work/c.csv"
  measure "whole table ($base), CSV → CSV" "$work/old-c.csv" $old predict "$model" --data "$csv" --out "$work/old-c.csv"
  measure "streamed, Parquet → Parquet" "$work/p.parquet" $lathe predict "$model" --data "$parquet" --out "$work/p.parquet"
  measure "streamed, CSV → CSV, --batch-rows 8192" "$work/c8.csv" $lathe predict "$model" --data "$csv" --out "$work/c8.csv" --batch-rows 8192
done
cmp "$work/p.csv" "$work/old-p.csv" && echo "streamed and whole-table predictions from Parquet: identical bytes"
cmp "$work/c.csv" "$work/old-c.csv" && echo "streamed and whole-table predictions from CSV: identical bytes"
cmp "$work/c.csv" "$work/c8.csv" && echo "streamed in batches of 65,536 and of 8,192 rows: identical bytes"

/usr/bin/python3 - "$results" "$rounds" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, wall, rss, out, load = line.rstrip("\n").split("|")
    runs.setdefault(label, []).append((float(wall), int(rss), int(out), float(load)))
print(f"\nmedian of {sys.argv[2]} rounds; 3,000,000 rows\n")
print("| run | wall (s) | rows/s | peak RSS | output | load (1 min) |")
print("|---|---|---|---|---|---|")
for label, r in runs.items():
    wall = statistics.median(x[0] for x in r)
    print(f"| {label} | {wall:.1f} | {3e6 / wall:,.0f} | {max(x[1] for x in r) / 1024:,.0f} MiB | {r[0][2]} MB | {', '.join(f'{x[3]:.0f}' for x in r)} |")
PY
