"""On bench/tables/run.sh's own cars splits (split seed = the first argument; a work folder the second): lathe init's
default trained with model seeds 42, 7 and 1 (as run.sh does), each run's accuracy on the test part and the accuracy of
the three runs' mean probability; prints a JSON line. The test part's rows are found in cars.json by preparing the same
split with the numbers left as they are (no scaling, no bins) and matching them back on four columns and the origin.

    for s in 42 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do /usr/bin/python3 bench/tables/seed_average.py $s /tmp/seeds; done

Needs the Release builds bench/tables/run.sh makes. About 25 s a split on one thread."""
import json, os, subprocess, sys
import numpy as np, pandas as pd, yaml
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LATHE = ["dotnet", os.path.join(ROOT, "src/Lathe.Cli/bin/Release/net10.0/lathe.dll")]
BENCH = ["dotnet", os.path.join(ROOT, "bench/Lathe.Bench/bin/Release/net10.0/Lathe.Bench.dll")]
DATA = os.path.join(ROOT, "data/vega-datasets/data/cars.json")
KEY = ["Cylinders", "Displacement", "Weight_in_lbs", "Acceleration"]
def run(*a):
    d = subprocess.run(a, capture_output=True, text=True)
    if d.returncode: raise SystemExit(f"{a} failed\n{d.stdout[-2000:]}\n{d.stderr[-2000:]}")
split, work = int(sys.argv[1]), os.path.join(sys.argv[2], f"s{sys.argv[1]}")
os.makedirs(work, exist_ok=True)
base = os.path.join(work, "base.yaml")
run(*LATHE, "init", "--data", DATA, "--target", "Origin", "--out", base, "--force")
c = yaml.safe_load(open(base))
c["data"]["exclude"] = ["Name"]; c["training"]["threads"] = 1; c["data"]["split"]["seed"] = split
# Raw numbers on the same split: no scaling, no bins, no embedding; the split does not depend on these.
r = json.loads(json.dumps(c)); r["prepare"].update({"scale": "none", "piecewise_linear_bins": 0, "drop_correlated": 1, "outliers": "none"}); r["model"]["number_embedding"] = 0
yaml.safe_dump(r, open(os.path.join(work, "raw.yaml"), "w"), sort_keys=False)
run(*LATHE, "prepare", os.path.join(work, "raw.yaml"), "--out", os.path.join(work, "raw"))
run(*BENCH, "to-csv", os.path.join(work, "raw", "test.parquet"), os.path.join(work, "rawtest.csv"))
test = pd.read_csv(os.path.join(work, "rawtest.csv"))
cars = pd.DataFrame(json.load(open(DATA)))
for frame in (test, cars):
    for k in KEY: frame[k] = frame[k].astype(float).round(2)
# Rows of cars.json alike in these columns and the origin (the same car listed twice) give the same prediction: keep one.
merged = test[KEY + ["Origin"]].reset_index(names="row").merge(cars.reset_index(), on=KEY + ["Origin"], how="left").drop_duplicates("row")
if len(merged) != len(test) or merged["index"].isna().any():
    raise SystemExit(f"split {split}: {len(test)} test rows matched {len(merged)} rows of cars.json ({merged['index'].isna().sum()} unmatched)")
rows = cars.loc[merged["index"].astype(int)]
rows_path = os.path.join(work, "test.json"); rows.to_json(rows_path, orient="records")
y = rows["Origin"].to_numpy()
singles, probs = [], []
for seed in (42, 7, 1):
    c["seed"] = seed; cfg = os.path.join(work, f"c{seed}.yaml"); yaml.safe_dump(c, open(cfg, "w"), sort_keys=False)
    out = os.path.join(work, f"t{seed}"); run(*LATHE, "train", cfg, "--out", out)
    run(*LATHE, "predict", os.path.join(out, "model.lathe"), "--data", rows_path, "--out", out + ".csv", "--threads", "1")
    p = pd.read_csv(out + ".csv"); classes = [k[2:] for k in p.columns if k.startswith("p_")]
    probs.append(p[[f"p_{k}" for k in classes]].to_numpy())
    singles.append((float(np.mean(p.iloc[:, 0].to_numpy() == y)), json.load(open(os.path.join(out, "metrics.json")))["test"]["accuracy"]))
ens = float(np.mean(np.array(classes)[np.argmax(np.mean(probs, axis=0), axis=1)] == y))
print(json.dumps({"split": split, "mean": float(np.mean([s[0] for s in singles])), "ens3": ens, "singles": singles, "n": len(y)}))
