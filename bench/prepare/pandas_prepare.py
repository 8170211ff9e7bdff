"""The peer's side of bench/prepare: the same preparation of flights-3m with pandas + scikit-learn, as a
one-shot process. Debian has no pyarrow, so it reads the same rows as CSV. Prints one JSON line like
Lathe.Bench: phase timings, the output's shape and a checksum, and the peak resident memory."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

clock = time.perf_counter()
phases = {}


def phase(name):
    global clock
    now = time.perf_counter()
    phases[name] = round(now - clock, 3)
    clock = now


def peak_gib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576, 2)


mode, path = sys.argv[1], sys.argv[2]
# "--no-date" leaves the date out, as bench/prepare/flights-no-date.yaml does: the narrower job.
with_date = "--no-date" not in sys.argv
if mode == "ingest":
    frame = pd.read_csv(path)
    phase("read csv")
    print(json.dumps({"tool": "pandas", "mode": "ingest", **phases, "rows": len(frame), "columns": frame.shape[1], "peak_rss_gib": peak_gib()}))
    sys.exit(0)

# The same work as bench/prepare/flights.yaml asks of Lathe: rows with a target; the date's parts with
# cyclical encodings and the days since 1970; a seeded 70/15/15 split; median imputation and standard scaling of the numbers and
# one-hot airports, all fitted on the training part; constant features dropped; the target standardised;
# float32 matrices for the three parts.
frame = pd.read_csv(path)
frame = frame.dropna(subset=["delay"])
phase("read csv")

if with_date:
    date = pd.to_datetime(frame["date"], format="%Y-%m-%dT%H:%M:%S")
    hour = date.dt.hour + date.dt.minute / 60
    month, weekday = date.dt.month, date.dt.dayofweek
    numbers = np.column_stack([
        date.dt.year, month, date.dt.day, weekday, hour,
        np.sin(2 * np.pi * (month - 1) / 12), np.cos(2 * np.pi * (month - 1) / 12),
        np.sin(2 * np.pi * weekday / 7), np.cos(2 * np.pi * weekday / 7),
        np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
        (date - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1),
        frame["distance"],
    ]).astype(np.float64)
else:
    numbers = frame[["distance"]].to_numpy(np.float64)
airports = frame[["origin", "destination"]]
target = frame["delay"].to_numpy(np.float64)
phase("date parts")

order = np.random.default_rng(42).permutation(len(frame))
n_train, n_validation = int(0.7 * len(order)), int(0.15 * len(order))
parts = {"train": order[:n_train], "validation": order[n_train:n_train + n_validation], "test": order[n_train + n_validation:]}
train = parts["train"]
phase("split")

imputer = SimpleImputer(strategy="median").fit(numbers[train])
phase("fit impute")
scaler = StandardScaler().fit(imputer.transform(numbers[train]))
keep = scaler.var_ > 0
phase("fit scale")
encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float32).fit(airports.iloc[train])
phase("fit one-hot")
mean, std = target[train].mean(), target[train].std(ddof=1)

checksum, cells, shapes = 0.0, 0, []
for name, rows in parts.items():
    scaled = scaler.transform(imputer.transform(numbers[rows]))[:, keep].astype(np.float32)
    onehot = encoder.transform(airports.iloc[rows])
    matrix = np.hstack([scaled, onehot])
    y = ((target[rows] - mean) / std).astype(np.float32)
    cells += matrix.size
    checksum += float(matrix.ravel()[::9973].sum())
    shapes.append(f"{matrix.shape[0]}x{matrix.shape[1]}")
    del scaled, onehot
    phase(f"{name} matrix")
print(json.dumps({"tool": "pandas", "mode": "prepare" if with_date else "prepare without the date", **phases, "shape": " + ".join(shapes), "cells": cells, "checksum": checksum, "peak_rss_gib": peak_gib()}))
