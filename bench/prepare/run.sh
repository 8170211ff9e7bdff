#!/usr/bin/env bash
# Data preparation and CSV ingest on flights-3m: Lathe against pandas + scikit-learn, side by side in one run.
# Each measurement is a one-shot process, as a user runs `lathe prepare`; the two tools alternate, ROUNDS times,
# and the median wall time of each is compared. Peak resident memory is what /usr/bin/time reports.
#
# The peer is Debian's (apt-get install python3-pandas python3-sklearn libopenblas0-openmp), run by
# /usr/bin/python3; both sides get the same THREADS (default: 2, the machine's cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
threads=${THREADS:-2}
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads DOTNET_PROCESSOR_COUNT=$threads
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

/usr/bin/python3 -c "import pandas, sklearn" 2>/dev/null || { echo "needs Debian's python3-pandas and python3-sklearn" >&2; exit 1; }
dotnet build -c Release -v q --nologo bench/Lathe.Bench >/dev/null
bench="dotnet $PWD/bench/Lathe.Bench/bin/Release/net10.0/Lathe.Bench.dll"
csv=bench/data/flights-3m.csv
if [ ! -f "$csv" ]; then
  mkdir -p bench/data
  $bench to-csv data/vega-datasets/data/flights-3m.parquet "$csv"
fi

results=$(mktemp)
measure() { # label, command...
  local label=$1; shift
  local timing; timing=$(mktemp)
  local line; line=$(/usr/bin/time -f "%e %M" -o "$timing" "$@" | tail -n 1)
  read -r wall rss < "$timing"
  echo "$label|$wall|$rss|$line" >> "$results"
  echo "  $label: ${wall} s, peak $((rss / 1024)) MiB" >&2
  rm -f "$timing"
}
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  measure "lathe prepare" $bench prepare bench/prepare/flights.yaml
  measure "pandas prepare" /usr/bin/python3 bench/prepare/pandas_prepare.py prepare "$csv"
  measure "lathe prepare-no-date" $bench prepare bench/prepare/flights-no-date.yaml
  measure "pandas prepare-no-date" /usr/bin/python3 bench/prepare/pandas_prepare.py prepare "$csv" --no-date
  measure "lathe ingest" $bench ingest "$csv"
  measure "pandas ingest" /usr/bin/python3 bench/prepare/pandas_prepare.py ingest "$csv"
done

/usr/bin/python3 - "$results" "$threads" <<'PY'
import json, statistics, sys
rows = [line.rstrip("\n").split("|", 3) for line in open(sys.argv[1])]
runs = {}
for label, wall, rss, detail in rows:
    runs.setdefault(label, []).append((float(wall), int(rss), json.loads(detail)))
print(f"threads: {sys.argv[2]}; one-shot processes; median of {len(runs['lathe prepare'])} rounds\n")
print("| work | Lathe (s) | pandas + scikit-learn (s) | ratio (peer / Lathe) | Lathe peak RSS | peer peak RSS |")
print("|---|---|---|---|---|---|")
for work in ("prepare", "prepare-no-date", "ingest"):
    lathe, peer = runs[f"lathe {work}"], runs[f"pandas {work}"]
    lw, pw = statistics.median(r[0] for r in lathe), statistics.median(r[0] for r in peer)
    lm, pm = max(r[1] for r in lathe) / 1048576, max(r[1] for r in peer) / 1048576
    print(f"| {work} | {lw:.2f} | {pw:.2f} | {pw / lw:.2f} | {lm:.2f} GiB | {pm:.2f} GiB |")
print("\nphases (last round):")
for label in runs:
    detail = runs[label][-1][2]
    print(f"- {label}: " + ", ".join(f"{k} {v}" for k, v in detail.items() if isinstance(v, float) and k not in ("checksum", "peak_rss_gib")))
    if "shape" in detail: print(f"  shape {detail['shape']}")
PY
rm -f "$results"
