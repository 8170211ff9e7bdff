#!/usr/bin/env bash
# Lathe's quick start: installs the data, builds Lathe, and runs the main job end to end on real data —
# define the problem (init), train, evaluate on held-out data, and predict to a CSV file.
set -euo pipefail
cd "$(dirname "$0")"

./scripts/setup.sh
echo "Building Lathe..."
dotnet build src/Lathe.Cli -c Release -nologo -v quiet
lathe() { dotnet src/Lathe.Cli/bin/Release/net10.0/lathe.dll "$@"; }

out=runs/quickstart
rm -rf "$out" && mkdir -p "$out"
data=data/vega-datasets/data/penguins.json

lathe init --data "$data" --target Species --out "$out/penguins.yaml"
lathe train "$out/penguins.yaml" --out "$out/train"
lathe evaluate "$out/train/model.lathe" --data "$data" --out "$out/evaluation"
lathe predict "$out/train/model.lathe" --data "$data" --out "$out/predictions.csv"

echo
echo "Done. In $out/:"
echo "  penguins.yaml            the config lathe init wrote (edit and retrain)"
echo "  train/model.lathe        the trained model bundle"
echo "  train/metrics.json       validation and test metrics"
echo "  train/report.html        learning curves, confusion matrix, ROC, calibration, the worst mistakes"
echo "  train/checkpoints/       the last checkpoint (lathe train CONFIG --resume DIR continues from it)"
echo "  evaluation/metrics.json  the saved bundle scored on the whole file (training rows included)"
echo "  predictions.csv          one prediction per row, with class probabilities:"
head -4 "$out/predictions.csv" | sed 's/^/    /'
