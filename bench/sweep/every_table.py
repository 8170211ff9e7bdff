"""Every table vega-datasets ships, through Lathe end to end, then fed bad input: a robustness sweep, not a benchmark.

    /usr/bin/python3 bench/sweep/every_table.py [WORK] [WORKERS] [FILES]   # WORK default runs/sweep, WORKERS 2, FILES a,b.json
    SWEEP_DATA=data/statsmodels /usr/bin/python3 bench/sweep/every_table.py ...  # another folder of tables, sub-folders too

Per JSON, CSV, TSV or Excel file of data/vega-datasets/data under 5 MB (a workbook's first sheet as Lathe reads it),
up to two targets are picked from the data (the first text column of 2-30 values, the first number column of over 20
values whose name is not an identifier's); a file that is not a table of records gets none. Per target, in a folder of its own:
  1. `lathe init`, then `lathe train` for three epochs on one engine thread, `lathe predict` and `lathe evaluate` on the
     whole file, and `lathe serve` answering one record and an array of three (JSON, flat) and the same three as
     `text/csv`, and a JSON file's own record as it is (the first with every field the model reads; nested objects and
     the target as they are).
     Every command must end 0, or 1 with one line starting "error:" (a refusal: too few rows, not a table of records).
  2. Bad input to the trained model: `lathe predict` on the file without a column the model reads (must end 1 naming
     it), with 'abc' in a number column (1, naming the column and line; with --bad-rows 0, that row listed and its
     output row empty, one output row per input row; `lathe evaluate --bad-rows` 0, that row listed and counted as
     set aside), cut at 60% of its bytes (0 or 1); and requests
     to the server: a field the model reads left out, an array or an object as its value (400), random bytes, an
     empty array (400), a truncated CSV body and every field null (200 or 400).
No answer may be a 5xx, no command may print a stack trace, and the server's log may hold none.
Prints one JSON line per target and a summary; exits 1 when any check failed. Needs Debian's python3-pandas and
python3-yaml and a Release build of src/Lathe.Cli (bench/tables/run.sh makes one; or `dotnet build -c Release src/Lathe.Cli`),
and of bench/Lathe.Bench for Excel files.
It copies that build into WORK first, so builds during the sweep do not touch it. 11 minutes with two workers on a quiet
machine; never beside the test suite, whose time limits it can push over."""
import json, os, queue, re, shutil, subprocess, sys, time, urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor
import pandas as pd, yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# SWEEP_DATA=data/statsmodels sweeps another folder of tables (its sub-folders too).
DATA = os.path.abspath(os.environ.get("SWEEP_DATA", os.path.join(ROOT, "data", "vega-datasets", "data")))
WORK = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "runs", "sweep"))
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
# A comma-separated list of files, to sweep those alone.
ONLY = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
LATHE = ["dotnet", os.path.join(WORK, "bin", "lathe.dll")]


def records(path):
    """A JSON file's records, or None when it is not an array of records (GeoJSON, TopoJSON, a nested object)."""
    try:
        rows = json.load(open(path))
    except (ValueError, UnicodeDecodeError):
        return None
    return rows if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None


EXCEL = (".xlsx", ".xlsm", ".xls")


def table(path):
    """The file as a DataFrame (a nested object's fields as columns named by their path, as Lathe reads them), or None
    when it is not a table of records. An Excel workbook's first sheet is read by Lathe itself (Lathe.Bench to-csv: the
    notes above and below a table, the header row, dates as ISO text), as Debian's pandas has no reader for .xls."""
    try:
        if path.endswith(EXCEL):
            csv = os.path.join(WORK, "excel", os.path.basename(path) + ".csv")
            os.makedirs(os.path.dirname(csv), exist_ok=True)
            done = subprocess.run(["dotnet", os.path.join(ROOT, "bench", "Lathe.Bench", "bin", "Release", "net10.0", "Lathe.Bench.dll"), "to-csv", path, csv],
                                  capture_output=True, text=True)
            return pd.read_csv(csv) if done.returncode == 0 else None
        if path.endswith(".json"):
            rows = records(path)
            return pd.json_normalize(rows, sep=".") if rows is not None else None
        frame = pd.read_csv(path, sep="\t" if path.endswith(".tsv") else ",")
        # Tables split otherwise (statsmodels' files: tabs, semicolons, spaces) are one column read with commas.
        if len(frame.columns) == 1:
            frame = pd.read_csv(path, sep=None, engine="python")
        if len(frame.columns) == 1:
            frame = pd.read_csv(path, sep=r"\s+")
        # Names each in single quotes are read without them, as Lathe reads them.
        if all(len(c) > 2 and c[0] == c[-1] == "'" for c in frame.columns):
            frame.columns = [c[1:-1] for c in frame.columns]
        # A header with no name where pandas says "Unnamed: k" is Lathe's column_{k+1}; a header one field short (R's row
        # names) pandas reads as the index, Lathe as a first column 'row_name'.
        frame.columns = [re.sub(r"^Unnamed: (\d+)$", lambda m: f"column_{int(m.group(1)) + 1}", str(c)) for c in frame.columns]
        if not isinstance(frame.index, pd.RangeIndex):
            frame = frame.rename_axis("row_name").reset_index()
        return frame
    except (ValueError, UnicodeDecodeError):
        return None


def targets(frame):
    picked = {}
    for name in frame.columns:
        values = frame[name].dropna()
        if values.map(lambda v: isinstance(v, (dict, list))).any(): continue
        distinct = values.nunique()
        if values.dtype == object and 2 <= distinct <= 30: picked.setdefault("class", name)
        elif pd.api.types.is_numeric_dtype(values) and distinct > 20 and not re.search(r"(^|_)id$|^id|index", name, re.I): picked.setdefault("number", name)
    return list(picked.values())


def run(args, cwd):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900)
    return done.returncode, done.stdout[-2000:] + done.stderr[-3000:]


def traced(text):
    return "Unhandled exception" in text or re.search(r"\n\s+at [A-Z][\w.`]+\(", text) is not None


def refused(code, out):
    """A clean end: 0, or 1 with an 'error:' line and no stack trace."""
    return not traced(out) and (code == 0 or code == 1 and "error:" in out)


def post(port, body, kind="application/json"):
    """The answer's status; "400 out of range" for a 400 whose every error is a value beyond what the model accepts
    (a file's total row, far past the training rows: refused by design, and said so)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/predict", data=body, headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer: return answer.status
    except urllib.error.HTTPError as e:
        if e.code == 400:
            try:
                errors = json.loads(e.read()).get("errors", {})
                if errors and all("is out of range" in m for messages in errors.values() for m in messages): return "400 out of range"
            except ValueError:
                pass
        return e.code


PORTS = queue.Queue()


def sweep(job):
    file, target = job
    port = PORTS.get()
    try:
        return check(file, target, port)
    finally:
        PORTS.put(port)


def check(file, target, port):
    path = os.path.join(DATA, file)
    work = os.path.join(WORK, f"{file}-{target}".replace(" ", "_").replace("/", "_"))
    os.makedirs(work, exist_ok=True)
    result = {"file": file, "target": target, "failed": []}
    fail = lambda check, detail: result["failed"].append([check, str(detail)[-400:]])
    code, out = run(LATHE + ["init", "--data", path, "--target", str(target), "--force"], work)
    if code:
        if not refused(code, out): fail("init", out)
        result["refused"] = out.strip().splitlines()[-1][:200]
        return result
    config = yaml.safe_load(open(os.path.join(work, "config.yaml")))
    config["training"].update(epochs=3, threads=1)
    yaml.safe_dump(config, open(os.path.join(work, "config.yaml"), "w"))
    code, out = run(LATHE + ["train", "config.yaml", "--out", "run"], work)
    if code:
        if not refused(code, out): fail("train", out)
        result["refused"] = out.strip().splitlines()[-1][:200]
        return result
    model = os.path.join(work, "run", "model.lathe")
    for command in (["predict", model, "--data", path, "--out", os.path.join(work, "predictions.csv"), "--threads", "1"],
                    ["evaluate", model, "--data", path, "--threads", "1"]):
        code, out = run(LATHE + command, work)
        if code: fail(command[0], out)
    frame = table(path)
    server = subprocess.Popen(LATHE + ["serve", model, "--urls", f"http://127.0.0.1:{port}"], cwd=work,
                              stdout=open(os.path.join(work, "serve.log"), "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/model", timeout=2) as answer: schema = json.load(answer)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        else:
            fail("serve", "not ready after 120 s")
            return result
        read = [field["name"] for field in schema["input"]]
        rows = json.loads(frame.drop(columns=[target]).head(3).to_json(orient="records", date_format="iso"))
        csv = frame.drop(columns=[target]).head(3).to_csv(index=False).encode()
        answers = {"one record": post(port, json.dumps(rows[0]).encode()), "three records": post(port, json.dumps(rows).encode()),
                   "three as CSV": post(port, csv, "text/csv")}
        if path.endswith(".json"):
            # The file's first record that has every field the model reads (a field left out is a 400), nested objects
            # and the target as they are.
            whole = [r for r in records(path)[:200] if set(read) <= set(pd.json_normalize([r], sep=".").columns)]
            if whole: answers["the file's own record"] = post(port, json.dumps(whole[0]).encode())
        for check, status in answers.items():
            if status not in (200, "400 out of range"): fail(check, status)
        bad = {}
        if read:
            field = read[0]
            bad["a field left out"] = post(port, json.dumps({k: v for k, v in rows[0].items() if k != field}).encode())
            bad["an array as a value"] = post(port, json.dumps({**rows[0], field: [1, 2]}).encode())
            bad["an object as a value"] = post(port, json.dumps({**rows[0], field: {"x": 1}}).encode())
        bad["random bytes"] = post(port, os.urandom(300))
        bad["an empty array"] = post(port, b"[]")
        for check, status in bad.items():
            if status not in (400, "400 out of range"): fail(check, status)
        for check, status in {"a truncated CSV body": post(port, csv[:-7], "text/csv"),
                              "every field null": post(port, json.dumps({k: None for k in rows[0]}).encode())}.items():
            if status not in (200, 400, "400 out of range"): fail(check, status)
        result["served"] = {**answers, **bad}
    finally:
        server.terminate()
        server.wait()
    log = open(os.path.join(work, "serve.log")).read()
    if traced(log): fail("server log", log[-600:])
    # Bad files for `lathe predict`.
    shared = [c for c in read if c in frame.columns]
    if shared:
        column = shared[0]
        without = os.path.join(work, "without-a-column.csv")
        frame.drop(columns=[column]).to_csv(without, index=False)
        code, out = run(LATHE + ["predict", model, "--data", without, "--out", os.path.join(work, "p1.csv"), "--threads", "1"], work)
        if code != 1 or column not in out or traced(out): fail("predict without a column", out)
    numbers = [c for c in read if c in frame.columns and pd.api.types.is_numeric_dtype(frame[c])]
    if numbers:
        damaged = frame.copy()
        damaged[numbers[0]] = damaged[numbers[0]].astype(object)
        damaged.loc[damaged.index[len(damaged) // 2], numbers[0]] = "abc"
        text = os.path.join(work, "abc.csv")
        damaged.to_csv(text, index=False)
        code, out = run(LATHE + ["predict", model, "--data", text, "--out", os.path.join(work, "p2.csv"), "--threads", "1"], work)
        if code != 1 or numbers[0] not in out or "line" not in out or traced(out): fail("predict with 'abc' in a number column", out)
        # The same file with --bad-rows: every row answered but the damaged one, which is listed and left empty.
        listed, predicted = os.path.join(work, "bad-rows.csv"), os.path.join(work, "p2b.csv")
        code, out = run(LATHE + ["predict", model, "--data", text, "--out", predicted, "--bad-rows", listed, "--threads", "1"], work)
        if code != 0 or traced(out): fail("predict --bad-rows with 'abc' in a number column", out)
        else:
            aside, answers = pd.read_csv(listed), pd.read_csv(predicted)
            empty = list(answers.index[answers.isna().all(axis=1)])
            if len(answers) != len(damaged) or len(damaged) // 2 not in empty or len(empty) != len(aside) \
                    or not aside["reason"].str.contains(numbers[0], regex=False).any():
                fail("predict --bad-rows output", f"{len(answers)} rows for {len(damaged)}, empty {empty[:5]}, listed {aside.head(3).to_dict('records')}")
        # And `lathe evaluate --bad-rows`: the damaged row listed, counted as set aside, the others scored.
        listed, scored = os.path.join(work, "bad-rows-evaluate.csv"), os.path.join(work, "evaluation-abc")
        code, out = run(LATHE + ["evaluate", model, "--data", text, "--out", scored, "--bad-rows", listed, "--threads", "1"], work)
        if code != 0 or traced(out): fail("evaluate --bad-rows with 'abc' in a number column", out)
        else:
            aside, metrics = pd.read_csv(listed), json.load(open(os.path.join(scored, "metrics.json")))
            if metrics.get("set_aside") != len(aside) or not aside["reason"].str.contains(numbers[0], regex=False).any():
                fail("evaluate --bad-rows output", f"set_aside {metrics.get('set_aside')}, listed {aside.head(3).to_dict('records')}")
    raw = open(path, "rb").read()
    cut = os.path.join(work, "cut" + os.path.splitext(path)[1])
    open(cut, "wb").write(raw[: int(len(raw) * 0.6)])
    code, out = run(LATHE + ["predict", model, "--data", cut, "--out", os.path.join(work, "p3.csv"), "--threads", "1"], work)
    if not refused(code, out): fail("predict on a cut file", out)
    return result


def main():
    shutil.rmtree(os.path.join(WORK, "bin"), ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "src", "Lathe.Cli", "bin", "Release", "net10.0"), os.path.join(WORK, "bin"))
    for worker in range(WORKERS): PORTS.put(19400 + worker)
    jobs = []
    files = sorted(os.path.relpath(os.path.join(folder, name), DATA) for folder, _, names in os.walk(DATA) for name in names)
    for file in files:
        path = os.path.join(DATA, file)
        if not file.endswith((".json", ".csv", ".tsv") + EXCEL) or os.path.getsize(path) > 5 << 20 or ONLY and file not in ONLY: continue
        frame = table(path)
        for target in (targets(frame) if frame is not None else []) or ["(none)"]:
            jobs.append((file, target))
    failed = refused_count = 0
    with ThreadPoolExecutor(WORKERS) as pool:
        for result in pool.map(sweep, jobs):
            print(json.dumps(result), flush=True)
            failed += bool(result["failed"])
            refused_count += "refused" in result
    print(f"{len(jobs)} targets in {len({j[0] for j in jobs})} files: {len(jobs) - failed - refused_count} went through every check, "
          f"{refused_count} refused with a clear error, {failed} failed a check", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
