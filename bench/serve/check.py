"""Checks that the peer answers as Lathe does: the peer's probabilities against `lathe predict`'s.

    check.py table MODEL.lathe RAW.json TEST.csv OUT_DIR LATHE...
    check.py images MODEL.lathe IMAGES-idx3-ubyte.gz COUNT OUT_DIR LATHE...

table: RAW.json is the training file (a JSON array of records); TEST.csv the test part `lathe prepare` wrote (as CSV:
the model's input columns after every fitted step, then the target). The raw test rows are found by packing every
raw row through the peer's numpy pipeline and matching it to a test-part row, which also checks that pipeline to
float32 precision; they are written to OUT_DIR/test-rows.json and predicted by `LATHE predict` and by the peer.
images: `LATHE predict` on the IDX file, the peer on its first COUNT images sent as base64 raw pixels.
Prints the largest probability difference; exits 1 when a row has no match, a class differs, or a probability
differs by more than 1e-5.
"""
import base64
import csv
import gzip
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import Model  # noqa: E402

TOLERANCE = 1e-5


def lathe_predict(lathe, model_path, data_path, out_csv):
    """`lathe predict`'s classes, labels and probabilities."""
    subprocess.run(lathe + ["predict", model_path, "--data", data_path, "--out", out_csv], check=True, stdout=subprocess.DEVNULL)
    with open(out_csv, newline="") as f:
        rows = list(csv.reader(f))
    return [name[2:] for name in rows[0][1:]], [row[0] for row in rows[1:]], np.array([[float(v) for v in row[1:]] for row in rows[1:]])


def compare(model, records, classes, labels, probabilities, what):
    if classes != model.classes:
        sys.exit(f"lathe predict: classes {classes}, the peer has {model.classes}")
    answers = model.answers(records)
    peer_labels = [a["prediction"] for a in answers]
    peer_probabilities = np.array([list(a["probabilities"].values()) for a in answers])
    difference = float(np.abs(peer_probabilities - probabilities).max())
    same = sum(a == b for a, b in zip(peer_labels, labels))
    print(f"{what}: same class {same}/{len(records)}; largest probability difference {difference:.2g} (tolerance {TOLERANCE:g})")
    if same != len(records) or difference > TOLERANCE:
        sys.exit(1)


def check_table(model_path, raw_path, test_path, out, lathe):
    model = Model(model_path)
    with open(raw_path) as f:
        raw = json.load(f)
    packed = model.inputs(raw).numpy()
    with open(test_path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    width = len(model.pipeline["feature_names"])
    if header[:width] != model.pipeline["feature_names"]:
        sys.exit(f"{test_path}: columns {header[:width]} are not the model's inputs {model.pipeline['feature_names']}")
    test = np.array([[float(v) for v in row[:width]] for row in body], dtype=np.float32)

    # Each test row's raw row: the one whose packed inputs are the same float32 values.
    distance = np.abs(test[:, None, :] - packed[None, :, :]).max(axis=2)
    nearest = distance.argmin(axis=1)
    worst_input = float(distance[np.arange(len(test)), nearest].max())
    if worst_input > 1e-6:
        sys.exit(f"{test_path}: a test row matches no raw row within 1e-6 (closest {worst_input:.3g}): the peer's pipeline differs from Lathe's")
    records = [raw[i] for i in nearest]
    rows_path = os.path.join(out, "test-rows.json")
    with open(rows_path, "w") as f:
        json.dump(records, f)
    classes, labels, probabilities = lathe_predict(lathe, model_path, rows_path, os.path.join(out, "lathe-test.csv"))
    compare(model, records, classes, labels, probabilities, f"{len(records)} test rows (inputs equal to Lathe's test part within {worst_input:.2g})")


def check_images(model_path, idx_path, count, out, lathe):
    model = Model(model_path)
    raw = gzip.open(idx_path).read()
    if raw[2:4] != b"\x08\x03":
        sys.exit(f"{idx_path}: not an IDX file of uint8 images")
    height, width = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
    size = height * width
    column = model.pipeline["image"]
    records = [{column: base64.b64encode(raw[16 + i * size:16 + (i + 1) * size]).decode()} for i in range(count)]
    classes, labels, probabilities = lathe_predict(lathe, model_path, idx_path, os.path.join(out, "lathe-images.csv"))
    compare(model, records, classes, labels[:count], probabilities[:count], f"the first {count} images of {os.path.basename(idx_path)}")


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "table":
        check_table(args[0], args[1], args[2], args[3], args[4:])
    elif mode == "images":
        check_images(args[0], args[1], int(args[2]), args[3], args[4:])
    else:
        sys.exit(f"check.py: unknown mode '{mode}' (table, images)")


if __name__ == "__main__":
    main()
