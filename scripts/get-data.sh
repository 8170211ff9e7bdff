#!/usr/bin/env bash
# Installs the real public data Lathe's examples and tests use, from package registries only:
#   Fashion-MNIST (Debian package dataset-fashion-mnist) -> /usr/share/datasets/fashion-mnist/
#   vega-datasets (npm, pinned)                          -> data/vega-datasets/data/
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "Installing Fashion-MNIST (dataset-fashion-mnist)..."
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi

VEGA_VERSION=3.2.1
if [ ! -f data/vega-datasets/data/penguins.json ]; then
  echo "Fetching vega-datasets $VEGA_VERSION (npm)..."
  mkdir -p data && tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "vega-datasets@$VEGA_VERSION" >/dev/null && tar xzf vega-datasets-*.tgz)
  rm -rf data/vega-datasets && mv "$tmp/package" data/vega-datasets && rm -rf "$tmp"
fi
echo "Data ready: /usr/share/datasets/fashion-mnist/ and data/vega-datasets/data/"
