"""Tables quality: Lathe's default configuration against scikit-learn's HistGradientBoosting (default settings) on
the same split of several vega-datasets tables. Run through bench/tables/run.sh.

Per table: `lathe init` writes the default config (only data.exclude and training.threads are set), `lathe prepare`
writes the train/validation/test parts as Lathe's model sees them (every fitted step applied; Parquet, turned into CSV
by Lathe.Bench because Debian has no pyarrow), `lathe train` trains and scores. HistGradientBoosting is fitted on the
same train part (the rows Lathe's weights are fitted on; Lathe's validation part only picks its best epoch) and scored
on the same test part with the same metric: accuracy for classification, R² for regression.

Seeds (SEEDS=42,7,1 in run.sh): the split is fixed (split.seed: 42) and only the model's seed varies, so every seed
trains and tests on the same rows and HistGradientBoosting (deterministic) is fitted once per table. Splits
(SPLITS=42,1,2,3,4): the whole comparison is repeated on each split seed (both sides on the same rows each time), and
a last table gives each side's mean over the splits: a test part of a few hundred rows moves R² by more than the
models differ, and one split can favour either side. Variants
(SET="prepare.piecewise_linear_bins=16 training.learning_rate=0.003"): config keys changed after `lathe init`, on
Lathe's side only; HistGradientBoosting always sees the same split prepared with numbers kept whole
(prepare.piecewise_linear_bins: 0), its natural input.
"""
import json, os, re, subprocess, sys, time
import pandas as pd
import yaml
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
    # scikit-learn's bundled tables (data/sklearn, from Debian's python3-sklearn; the paths are relative to the vega
    # folder); only by TABLES=…, as they are not vega-datasets. The last element: `lathe init` options for the layout.
    ("breast-cancer", "../../sklearn/breast_cancer.csv", "column_31", [], []),
    ("wine", "../../sklearn/wine_data.csv", "column_14", [], []),
    ("boston", "../../sklearn/boston_house_prices.csv", "MEDV", [], []),
    ("iris", "../../sklearn/iris.csv", "column_5", [], ["--header", "false", "--skip-rows", "1"]),
    # statsmodels' datasets (data/statsmodels, from Debian's python3-statsmodels), likewise only by TABLES=….
    ("anes96", "../../statsmodels/anes96/anes96.csv", "vote", [], []),
    ("modechoice", "../../statsmodels/modechoice/modechoice.csv", "choice", ["individual"], []),  # a traveller's number
    ("fair", "../../statsmodels/fair/fair.csv", "affairs", [], []),
    ("grunfeld", "../../statsmodels/grunfeld/grunfeld.csv", "invest", [], []),
    ("engel", "../../statsmodels/engel/engel.csv", "foodexp", [], []),
    ("randhie", "../../statsmodels/randhie/randhie.csv", "mdvis", [], []),
]
VEGA = 8  # the first tables, those a run without TABLES compares


def run(*args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def override(text, settings):
    """The config with dotted keys set (prepare.piecewise_linear_bins=16); values are read as YAML."""
    config = yaml.safe_load(text)
    for setting in settings:
        key, value = setting.split("=", 1)
        *path, last = key.split(".")
        section = config
        for name in path:
            section = section[name]
        if last not in section:
            raise SystemExit(f"SET: '{key}' is not a key of the config lathe init wrote")
        section[last] = yaml.safe_load(value)
    return yaml.safe_dump(config, sort_keys=False)


def main():
    lathe, bench, data, work, threads = sys.argv[1].split(), sys.argv[2].split(), sys.argv[3], sys.argv[4], sys.argv[5]
    only = set(sys.argv[6].split(",")) if len(sys.argv) > 6 and sys.argv[6] else None
    seeds = [int(s) for s in (sys.argv[7] if len(sys.argv) > 7 and sys.argv[7] else "42").split(",")]
    settings = sys.argv[8].split() if len(sys.argv) > 8 else []
    splits = [int(s) for s in (sys.argv[9] if len(sys.argv) > 9 and sys.argv[9] else "42").split(",")]
    rows = []
    for (name, file, target, exclude, *layout), split in ((t, s) for t in (TABLES if only else TABLES[:VEGA]) for s in splits):
        if only and name not in only:
            continue
        folder = os.path.join(work, name if len(splits) == 1 else f"{name}-split{split}")
        os.makedirs(folder, exist_ok=True)
        config = os.path.join(folder, "config.yaml")
        run(*lathe, "init", "--data", os.path.join(data, file), "--target", target, "--out", config, "--force", *(layout[0] if layout else []))
        text = open(config).read()
        # init's own exclusions (row numbers, a column of one value) stay, the table's are added.
        found = yaml.safe_load(text)["data"].get("exclude") or []
        text = re.sub(r"(?m)^  exclude: .*$", "  exclude: " + json.dumps(found + [e for e in exclude if e not in found]), text, count=1)
        text = re.sub(r"(?m)^  threads: 0$", f"  threads: {threads}", text)
        text = re.sub(r"(?m)^    seed: null$", f"    seed: {split}", text)
        open(config, "w").write(text)
        task = re.search(r"(?m)^task: (\w+)", text).group(1)

        # The peer's parts: the split every seed shares, numbers as numbers (no piecewise-linear columns: a tree
        # splits a number directly; with them HistGradientBoosting measured 0.5790 on movies and 0.8739 on gapminder;
        # nor a number's values as categories, which a tree reaches with two splits).
        peer_config = os.path.join(folder, "peer.yaml")
        open(peer_config, "w").write(override(text, ["prepare.piecewise_linear_bins=0"] + (["model.number_embedding=0"] if "number_embedding:" in text else [])
                                              + (["prepare.value_categories=0"] if "value_categories:" in text else [])))
        run(*lathe, "prepare", peer_config, "--out", os.path.join(folder, "prepare"))
        parts = {}
        for part in ("train", "test"):
            csv = os.path.join(folder, f"{part}.csv")
            run(*bench, "to-csv", os.path.join(folder, "prepare", f"{part}.parquet"), csv)
            parts[part] = pd.read_csv(csv)
        scores, validation_scores, lathe_seconds, epochs = [], [], 0.0, []
        for seed in seeds:
            seeded = os.path.join(folder, f"config-{seed}.yaml")
            open(seeded, "w").write(override(re.sub(r"(?m)^seed: \d+$", f"seed: {seed}", text), settings))
            started = time.perf_counter()
            run(*lathe, "train", seeded, "--out", os.path.join(folder, f"train-{seed}"))
            lathe_seconds += (time.perf_counter() - started) / len(seeds)
            metrics = json.load(open(os.path.join(folder, f"train-{seed}", "metrics.json")))
            key = "accuracy" if task == "classification" else "r2"
            scores.append(metrics["test"][key])
            validation_scores.append(metrics["validation"][key])
            epochs.append(metrics.get("epochs"))
        ours = sum(scores) / len(scores)

        train, test = parts["train"], parts["test"]
        x_train, y_train = train.drop(columns=[target]), train[target]
        x_test, y_test = test.drop(columns=[target]), test[target]
        started = time.perf_counter()
        if task == "classification":
            model = HistGradientBoostingClassifier(random_state=42).fit(x_train, y_train)
            peer, metric = accuracy_score(y_test, model.predict(x_test)), "accuracy"
        else:
            model = HistGradientBoostingRegressor(random_state=42).fit(x_train, y_train)
            peer, metric = r2_score(y_test, model.predict(x_test)), "R²"
        peer_seconds = time.perf_counter() - started
        rows.append((name, split, target, metric, len(train), len(test), x_train.shape[1], ours, peer, lathe_seconds, peer_seconds, epochs, scores))
        print(f"{name}{'' if len(splits) == 1 else f' (split {split})'}: Lathe {ours:.4f} ({' '.join(f'{s:.4f}' for s in scores)}; validation {' '.join(f'{s:.4f}' for s in validation_scores)}), HGB {peer:.4f}", file=sys.stderr)

    print(f"threads: {threads}; Lathe's default config from `lathe init` (model as `lathe init` chose it)"
          f"{', with ' + ' '.join(settings) if settings else ''}; split seed(s) {', '.join(map(str, splits))}, model seeds {', '.join(map(str, seeds))} "
          "(Lathe: the mean); HistGradientBoosting with default settings, random_state 42, fitted on Lathe's train part\n")
    print("| table | split | target | metric | train / test rows | features | Lathe (mean) | per seed | HGB | winner | Lathe train s (epochs) | HGB fit s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, split, target, metric, n_train, n_test, width, ours, peer, ls, ps, epochs, scores in rows:
        print(f"| {name} | {split} | {target} | {metric} | {n_train} / {n_test} | {width} | {ours:.4f} | {' / '.join(f'{s:.4f}' for s in scores)} | {peer:.4f} | {winner(ours, peer)} | {ls:.1f} ({', '.join(map(str, epochs))}) | {ps:.2f} |")
    wins = sum(1 for r in rows if r[7] > r[8])
    print(f"\nLathe wins {wins} of {len(rows)} comparisons.")
    if len(splits) > 1:
        print(f"\nMean over the {len(splits)} splits (each split's Lathe figure is its mean over the model seeds):\n")
        print("| table | metric | Lathe | HGB | winner | splits Lathe won |")
        print("|---|---|---|---|---|---|")
        for name in dict.fromkeys(r[0] for r in rows):
            mine = [r for r in rows if r[0] == name]
            ours, peer = sum(r[7] for r in mine) / len(mine), sum(r[8] for r in mine) / len(mine)
            print(f"| {name} | {mine[0][3]} | {ours:.4f} | {peer:.4f} | {winner(ours, peer)} | {sum(1 for r in mine if r[7] > r[8])} of {len(mine)} |")


def winner(ours, peer):
    return "Lathe" if ours > peer else "HGB" if peer > ours else "tie"


if __name__ == "__main__":
    main()
