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

measure() { # label, output, command...
  local label=$1 out=$2; shift 2
  rm -f "$out"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
  read -r wall rss < "$work/time"
  local rows; rows=$(awk -v w="$wall" 'BEGIN { printf "%.0f", 3000000 / w }')
  echo "| $label | $wall | $rows | $((rss / 1024)) MiB | $(du -m "$out" | cut -f1) MB |"
}
echo "| run | wall (s) | rows/s | peak RSS | output |"
echo "|---|---|---|---|---|"
measure "streamed, Parquet → CSV" "$work/p.csv" $lathe predict "$model" --data "$parquet" --out "$work/p.csv"
measure "streamed, Parquet → Parquet" "$work/p.parquet" $lathe predict "$model" --data "$parquet" --out "$work/p.parquet"
measure "streamed, CSV → CSV" "$work/c.csv" $lathe predict "$model" --data "$csv" --out "$work/c.csv"
measure "whole table ($base), Parquet → CSV" "$work/old-p.csv" $old predict "$model" --data "$parquet" --out "$work/old-p.csv"
measure "whole table ($base), CSV → CSV" "$work/old-c.csv" $old predict "$model" --data "$csv" --out "$work/old-c.csv"
cmp "$work/p.csv" "$work/old-p.csv" && echo "streamed and whole-table predictions from Parquet: identical bytes"
cmp "$work/c.csv" "$work/old-c.csv" && echo "streamed and whole-table predictions from CSV: identical bytes"
