#!/usr/bin/env bash
# Lathe's quick start: installs the data, builds Lathe, and runs the main job end to end on real data —
# define the problem (init), train, evaluate on held-out data, predict to a CSV file, and serve the model over HTTP.
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

# Deployment: the bundle behind the REST server on a free loopback port, asked about one penguin, then stopped.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dotnet src/Lathe.Cli/bin/Release/net10.0/lathe.dll serve "$out/train/model.lathe" --urls "http://127.0.0.1:$port" --prediction-log "$out/prediction-log" > "$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
record='{"Island":"Biscoe","Beak Length (mm)":39.1,"Beak Depth (mm)":18.7,"Flipper Length (mm)":181,"Body Mass (g)":3750,"Sex":"MALE"}'
answer=$(curl -sf "http://127.0.0.1:$port/v1/predict" -H 'Content-Type: application/json' -d "$record")
kill -TERM $server && wait $server

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
echo "  prediction-log/          what lathe serve answered for POST /v1/predict $record:"
echo "    $answer"
