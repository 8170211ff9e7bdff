"""Tables quality: Lathe's default configuration against scikit-learn's HistGradientBoosting (default settings) on
the same split of several vega-datasets tables. Run through bench/tables/run.sh.

Per table: `lathe init` writes the default config (only data.exclude and training.threads are set), `lathe prepare`
writes the train/validation/test parts as Lathe's model sees them (every fitted step applied; Parquet, turned into CSV
by Lathe.Bench because Debian has no pyarrow), `lathe train` trains and scores. HistGradientBoosting is fitted on the
same train part (the rows Lathe's weights are fitted on; Lathe's validation part only picks its best epoch) and scored
on the same test part with the same metric: accuracy for classification, R² for regression.
"""
import json, os, re, subprocess, sys, time
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, r2_score

# (name, file, target, excluded columns and why)
TABLES = [
    ("penguins", "penguins.json", "Species", []),
    ("cars", "cars.json", "Origin", ["Name"]),  # the model name says the maker, hence the origin
    ("seattle-weather", "seattle-weather.csv", "weather", []),
    ("weather", "weather.csv", "weather", []),
    ("birdstrikes", "birdstrikes.csv", "Effect Amount of damage", ["Cost Other", "Cost Repair", "Cost Total $"]),  # costs follow from the damage
    ("cars-mpg", "cars.json", "Miles_per_Gallon", ["Name"]),
    ("movies", "movies.json", "IMDB Rating", ["Title"]),  # a unique title per row
    ("gapminder", "gapminder.json", "life_expect", []),
]


def run(*args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def main():
    lathe, bench, data, work, threads = sys.argv[1].split(), sys.argv[2].split(), sys.argv[3], sys.argv[4], sys.argv[5]
    only = set(sys.argv[6].split(",")) if len(sys.argv) > 6 and sys.argv[6] else None
    rows = []
    for name, file, target, exclude in TABLES:
        if only and name not in only:
            continue
        folder = os.path.join(work, name)
        os.makedirs(folder, exist_ok=True)
        config = os.path.join(folder, "config.yaml")
        run(*lathe, "init", "--data", os.path.join(data, file), "--target", target, "--out", config, "--force")
        text = open(config).read()
        text = re.sub(r"(?m)^  exclude: \[\]$", "  exclude: " + json.dumps(exclude), text)
        text = re.sub(r"(?m)^  threads: 0$", f"  threads: {threads}", text)
        open(config, "w").write(text)
        task = re.search(r"(?m)^task: (\w+)", text).group(1)

        run(*lathe, "prepare", config, "--out", os.path.join(folder, "prepare"))
        parts = {}
        for part in ("train", "test"):
            csv = os.path.join(folder, f"{part}.csv")
            run(*bench, "to-csv", os.path.join(folder, "prepare", f"{part}.parquet"), csv)
            parts[part] = pd.read_csv(csv)
        started = time.perf_counter()
        run(*lathe, "train", config, "--out", os.path.join(folder, "train"))
        lathe_seconds = time.perf_counter() - started
        metrics = json.load(open(os.path.join(folder, "train", "metrics.json")))

        train, test = parts["train"], parts["test"]
        x_train, y_train = train.drop(columns=[target]), train[target]
        x_test, y_test = test.drop(columns=[target]), test[target]
        started = time.perf_counter()
        if task == "classification":
            model = HistGradientBoostingClassifier(random_state=42).fit(x_train, y_train)
            peer, ours, metric = accuracy_score(y_test, model.predict(x_test)), metrics["test"]["accuracy"], "accuracy"
        else:
            model = HistGradientBoostingRegressor(random_state=42).fit(x_train, y_train)
            peer, ours, metric = r2_score(y_test, model.predict(x_test)), metrics["test"]["r2"], "R²"
        peer_seconds = time.perf_counter() - started
        rows.append((name, target, metric, len(train), len(test), x_train.shape[1], ours, peer, lathe_seconds, peer_seconds, metrics.get("epochs")))
        print(f"{name}: Lathe {ours:.4f}, HGB {peer:.4f}", file=sys.stderr)

    print(f"threads: {threads}; Lathe's default config from `lathe init` (model as `lathe init` chose it); "
          "HistGradientBoosting with default settings, random_state 42, fitted on Lathe's train part\n")
    print("| table | target | metric | train / test rows | features | Lathe | HGB | winner | Lathe train s (epochs) | HGB fit s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, target, metric, n_train, n_test, width, ours, peer, ls, ps, epochs in rows:
        winner = "Lathe" if ours > peer else "HGB" if peer > ours else "tie"
        print(f"| {name} | {target} | {metric} | {n_train} / {n_test} | {width} | {ours:.4f} | {peer:.4f} | {winner} | {ls:.1f} ({epochs}) | {ps:.2f} |")
    wins = sum(1 for r in rows if r[6] > r[7])
    print(f"\nLathe wins {wins} of {len(rows)} tables.")


if __name__ == "__main__":
    main()
