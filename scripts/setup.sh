#!/usr/bin/env bash
# Installs what Lathe's examples and tests use, from package registries only:
#   Fashion-MNIST (Debian package dataset-fashion-mnist) -> /usr/share/datasets/fashion-mnist/
#   Chromium (Debian package chromium)                   -> /usr/bin/chromium, for the report tests
#   curl and python3 (Debian)                            -> the quick start's call to lathe serve
#   Unicode Character Database (Debian unicode-data)     -> /usr/share/unicode/, for the NFKC conformance test
#   vega-datasets (npm, pinned)                          -> data/vega-datasets/data/
#   scikit-learn's data files (Debian python3-sklearn)   -> data/sklearn/ (the .deb unpacked, not installed)
#   statsmodels' datasets (Debian python3-statsmodels)   -> data/statsmodels/ (likewise)
#   readxl's example workbooks (Debian r-cran-readxl)    -> data/readxl/ (likewise)
#   dslabs' raw data files (Debian r-cran-dslabs)        -> data/dslabs/ (likewise)
#   PostgreSQL (Debian package postgresql), running, with role lathe (password lathe) owning database
#   lathe_test, for the PostgreSQL source's tests (LATHE_TEST_POSTGRES overrides where they connect)
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

missing=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
[ -f /usr/share/unicode/NormalizationTest.txt.bz2 ] || missing+=(unicode-data)
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} (Debian)..."
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
# Debian packages whose data files the tests read: only the .deb is fetched and unpacked, nothing installed; the apt
# lists are refreshed if it is not found. unpack_deb PACKAGE DEST DIR: DIR of the package's files becomes DEST, less its Python code.
unpack_deb() {
  echo "Fetching $1's data files (Debian, unpacked only)..."
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download "$1" >/dev/null 2>&1 || { $sudo_cmd apt-get update -qq && apt-get download "$1" >/dev/null; }; } \
    && dpkg-deb -x "$1"_*.deb unpacked)
  find "$tmp/unpacked/$3" \( -name '*.py' -o -name __pycache__ \) -prune -exec rm -rf {} +
  mkdir -p "$2" && cp -r "$tmp/unpacked/$3/." "$2/" && rm -rf "$tmp"
}
# scikit-learn's bundled tables (iris.csv, breast_cancer.csv, boston_house_prices.csv, …): real files with the layouts
# users bring (a line of counts above the data, a preamble above the header, columns split by spaces).
[ -f data/sklearn/iris.csv ] || unpack_deb python3-sklearn data/sklearn usr/lib/python3/dist-packages/sklearn/datasets/data
# statsmodels' datasets, one folder each (anes96/anes96.csv, danish_data/data.csv, …): names in single quotes, quarters
# and month names as dates, tabs and spaces between fields.
[ -f data/statsmodels/anes96/anes96.csv ] || unpack_deb python3-statsmodels data/statsmodels usr/lib/python3/dist-packages/statsmodels/datasets
# readxl's example workbooks (datasets.xlsx and .xls: four sheets; deaths.xlsx: notes above and below the table;
# geometry.xlsx: a table away from A1).
[ -f data/readxl/datasets.xlsx ] || unpack_deb r-cran-readxl data/readxl usr/lib/R/site-library/readxl/extdata
# dslabs' raw files (olive.csv: R's row names under a header one name short; murders.csv; a messy regents .xls).
[ -f data/dslabs/olive.csv ] || unpack_deb r-cran-dslabs data/dslabs usr/lib/R/site-library/dslabs/extdata
# The Debian package creates a cluster but, without systemd (containers, CI), does not start it.
pg_version=$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1 | cut -d/ -f5)
grep -q "^$pg_version main " <<<"$(pg_lsclusters -h)" || $sudo_cmd pg_createcluster "$pg_version" main >/dev/null
grep -q "^$pg_version main .* online" <<<"$(pg_lsclusters -h)" || $sudo_cmd pg_ctlcluster "$pg_version" main start
pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" { print $3 }')
as_postgres() { (cd / && if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi); }
as_postgres psql -p "$pg_port" -qtAX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE lathe LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lathe') \gexec
ALTER ROLE lathe LOGIN PASSWORD 'lathe';
SELECT 'CREATE DATABASE lathe_test OWNER lathe' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'lathe_test') \gexec
SQL
echo "Ready: /usr/share/datasets/fashion-mnist/, data/vega-datasets/data/, /usr/bin/chromium, /usr/share/unicode/," \
  "PostgreSQL $pg_version on port $pg_port (Host=localhost;Port=$pg_port;Database=lathe_test;Username=lathe;Password=lathe)"
