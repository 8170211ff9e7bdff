#!/usr/bin/env bash
# Tables quality: Lathe's default configuration against scikit-learn's HistGradientBoosting on the same split of
# several vega-datasets tables (bench/tables/compare.py lists them and says how each side is run); prints a
# Markdown table. Needs Debian's python3-sklearn and python3-pandas. THREADS (default 2) for both sides;
# TABLES=penguins,cars runs only those; SEEDS=42,7,1 trains Lathe once per model seed on the same split (default 42);
# SET="prepare.piecewise_linear_bins=16" changes config keys on Lathe's side after `lathe init`; SPLITS=42,1,2,3,4
# repeats the whole comparison on each split seed (default 42) and ends with each side's mean over them. Re-runnable: each run starts from fresh `lathe init` configs.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${THREADS:-2}
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads DOTNET_PROCESSOR_COUNT=$threads
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
/usr/bin/python3 -c "import pandas, sklearn" 2>/dev/null || { echo "needs Debian's python3-pandas and python3-sklearn" >&2; exit 1; }
dotnet build -c Release -v q --nologo bench/Lathe.Bench >/dev/null
dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/tables/compare.py "dotnet $PWD/src/Lathe.Cli/bin/Release/net10.0/lathe.dll" \
  "dotnet $PWD/bench/Lathe.Bench/bin/Release/net10.0/Lathe.Bench.dll" "$PWD/data/vega-datasets/data" "$work" "$threads" "${TABLES:-}" "${SEEDS:-42}" "${SET:-}" "${SPLITS:-42}"
