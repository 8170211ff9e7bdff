"""Does averaging several separately trained Lathe models help on cars? One split per call (the split seed is the first
argument; a work folder the second; optional config settings the third, "key=value ..."):

    for s in $(seq 0 29); do /usr/bin/python3 bench/tables/averaging.py $s /tmp/averaging; done > results.jsonl

The test part (15%, stratified, scikit-learn's train_test_split with random_state = the split seed) is a file of its own
(data.test), so every model below is scored on the same rows:
  a_mean: lathe init's default, model seeds 42, 7, 1 on one train/validation cut (split seed = the split): the mean of
          the three models' accuracies; a_ens3: the accuracy of their mean probability (three separately trained runs,
          each with its own batch order and early stopping);
  b_single / b_bag3 / b_bag5: five models, each on its own train/validation cut of the same rows (split seeds 1000,
          2000, … past the split), alone (mean accuracy), the first three's and all five's mean probability;
  hgb_train: HistGradientBoosting (defaults, random_state 42) fitted on a_mean's train part; hgb_trainval: on its train
          and validation parts together (the rows the b models share between them).
Needs Debian's python3-pandas, python3-sklearn and python3-yaml, and Release builds of src/Lathe.Cli and bench/Lathe.Bench
(bench/tables/run.sh makes them)."""
import json, os, re, subprocess, sys
import numpy as np, pandas as pd, yaml
from sklearn.model_selection import train_test_split
from sklearn.ensemble import HistGradientBoostingClassifier
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LATHE = ["dotnet", os.path.join(ROOT, "src/Lathe.Cli/bin/Release/net10.0/lathe.dll")]
BENCH = ["dotnet", os.path.join(ROOT, "bench/Lathe.Bench/bin/Release/net10.0/Lathe.Bench.dll")]
DATA = os.path.join(ROOT, "data/vega-datasets/data/cars.json")
TARGET, EXCLUDE = "Origin", ["Name"]
def run(*a):
    d = subprocess.run(a, capture_output=True, text=True)
    if d.returncode: raise SystemExit(f"{a} failed\n{d.stdout[-2000:]}\n{d.stderr[-2000:]}")
def config(work, split_seed, seed, extra=()):
    c = yaml.safe_load(open(os.path.join(work, "base.yaml")))
    c["seed"] = seed; c["data"]["split"]["seed"] = split_seed
    for kv in extra:
        k, v = kv.split("=", 1); *p, last = k.split("."); s = c
        for n in p: s = s[n]
        s[last] = yaml.safe_load(v)
    path = os.path.join(work, f"c-{split_seed}-{seed}-{abs(hash(extra))%1000}.yaml"); yaml.safe_dump(c, open(path, "w"), sort_keys=False); return path
def train_predict(work, cfg, name, test):
    out = os.path.join(work, name); run(*LATHE, "train", cfg, "--out", out)
    run(*LATHE, "predict", os.path.join(out, "model.lathe"), "--data", test, "--out", out + ".csv", "--threads", "1")
    m = json.load(open(os.path.join(out, "metrics.json")))
    return pd.read_csv(out + ".csv"), m["test"]["accuracy"]
def main():
    split, root = int(sys.argv[1]), sys.argv[2]
    extra = tuple(sys.argv[3].split()) if len(sys.argv) > 3 else ()
    work = os.path.join(root, f"s{split}"); os.makedirs(work, exist_ok=True)
    rows = pd.DataFrame(json.load(open(DATA)))
    tv, te = train_test_split(rows, test_size=0.15, random_state=split, stratify=rows[TARGET])
    tvp, tep = os.path.join(work, "trainval.json"), os.path.join(work, "test.json")
    tv.to_json(tvp, orient="records"); te.to_json(tep, orient="records")
    run(*LATHE, "init", "--data", tvp, "--target", TARGET, "--out", os.path.join(work, "base.yaml"), "--force")
    c = yaml.safe_load(open(os.path.join(work, "base.yaml")))
    c["data"]["exclude"] = EXCLUDE; c["data"]["test"] = {"path": tep}; c["training"]["threads"] = 1
    c["data"]["split"].update({"train": 0.7 / 0.85, "validation": 0.15 / 0.85, "test": 0.0})
    yaml.safe_dump(c, open(os.path.join(work, "base.yaml"), "w"), sort_keys=False)
    y = te[TARGET].to_numpy()
    classes = None
    def acc(probs):
        return float(np.mean(np.array(classes)[np.argmax(probs, axis=1)] == y))
    singles, probs = [], []
    for seed in (42, 7, 1):
        p, a = train_predict(work, config(work, split, seed, extra), f"a{seed}", tep)
        classes = [col[2:] for col in p.columns if col.startswith("p_")]
        singles.append(float(np.mean(p.iloc[:, 0].to_numpy() == y))); probs.append(p[[f"p_{k}" for k in classes]].to_numpy())
    a_mean, a_ens = float(np.mean(singles)), acc(np.mean(probs, axis=0))
    bag = []
    for m, seed in enumerate((42, 7, 1, 3, 5)):
        p, _ = train_predict(work, config(work, split + 1000 * (m + 1), seed, extra), f"b{m}", tep)
        bag.append(p[[f"p_{k}" for k in classes]].to_numpy())
    b3, b5 = acc(np.mean(bag[:3], axis=0)), acc(np.mean(bag, axis=0))
    b_single = float(np.mean([acc(b) for b in bag]))
    # HGB: numbers whole, on A's train part and on all train+validation rows
    pc = yaml.safe_load(open(config(work, split, 42, extra))); pc["prepare"]["piecewise_linear_bins"] = 0
    if "number_embedding" in pc["model"]: pc["model"]["number_embedding"] = 0
    pcp = os.path.join(work, "peer.yaml"); yaml.safe_dump(pc, open(pcp, "w"), sort_keys=False)
    run(*LATHE, "prepare", pcp, "--out", os.path.join(work, "prep"))
    parts = {}
    for part in ("train", "validation", "test"):
        run(*BENCH, "to-csv", os.path.join(work, "prep", f"{part}.parquet"), os.path.join(work, f"{part}.csv"))
        parts[part] = pd.read_csv(os.path.join(work, f"{part}.csv"))
    def hgb(train):
        mdl = HistGradientBoostingClassifier(random_state=42).fit(train.drop(columns=[TARGET]), train[TARGET])
        return float(np.mean(mdl.predict(parts["test"].drop(columns=[TARGET])) == parts["test"][TARGET]))
    h_a, h_b = hgb(parts["train"]), hgb(pd.concat([parts["train"], parts["validation"]]))
    print(json.dumps({"split": split, "a_mean": a_mean, "a_ens3": a_ens, "b_single": b_single, "b_bag3": b3, "b_bag5": b5, "hgb_train": h_a, "hgb_trainval": h_b, "n_test": len(y), "a_single": singles}))
main()
