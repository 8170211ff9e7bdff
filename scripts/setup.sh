#!/usr/bin/env bash
# Installs what Lathe's examples and tests use, from package registries only:
#   Fashion-MNIST (Debian package dataset-fashion-mnist) -> /usr/share/datasets/fashion-mnist/
#   Chromium (Debian package chromium)                   -> /usr/bin/chromium, for the report tests
#   Unicode Character Database (Debian unicode-data)     -> /usr/share/unicode/, for the NFKC conformance test
#   vega-datasets (npm, pinned)                          -> data/vega-datasets/data/
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/unicode/NormalizationTest.txt.bz2 ] || missing+=(unicode-data)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} (Debian)..."
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

VEGA_VERSION=3.2.1
if [ ! -f data/vega-datasets/data/penguins.json ]; then
  echo "Fetching vega-datasets $VEGA_VERSION (npm)..."
  mkdir -p data && tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "vega-datasets@$VEGA_VERSION" >/dev/null && tar xzf vega-datasets-*.tgz)
  rm -rf data/vega-datasets && mv "$tmp/package" data/vega-datasets && rm -rf "$tmp"
fi
echo "Ready: /usr/share/datasets/fashion-mnist/, data/vega-datasets/data/, /usr/bin/chromium, /usr/share/unicode/"
