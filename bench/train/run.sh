#!/usr/bin/env bash
# Training throughput and inference on Fashion-MNIST: Lathe against PyTorch (Debian's python3-torch over
# libopenblas0-openmp), side by side in one run, the same THREADS (default 2) on both sides, data preloaded in memory.
#
# Per model (MLP 784-256-128-10, the foundation's CNN), ROUNDS times (default 1), alternating the tools:
#   - Lathe.Bench train: `lathe train`'s preparation and Trainer in-process, timed by a callback from batch 20 to the
#     end of each epoch's last batch (data preparation and the per-epoch validation pass left out), then inference;
#   - bench/train/torch_train.py: the same model, a standard loop over shuffled preloaded tensors, the same timing.
# Then the real `lathe train` of the CNN (epoch seconds from metrics.json; they include the validation pass), and the
# machine's matmul peak, from which the CNN's achieved GFLOP/s is computed.
# EPOCHS (default 2) sets the epochs per training run, ROWS (default 25600) the training images per epoch (at most
# 54,000, the 90% of the 60,000 that `lathe train` trains on), CALLS (default 10000) the single-row predictions timed.
# The `lathe train` run trains CLI_EPOCHS (default 1) epochs on 80% of the first CLI_IMAGES (default 10000) images.
# PEER_ENV (e.g. "MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=536870912", the glibc settings Lathe applies to
# itself, docs/architecture.md "Native memory") is set for the PyTorch side only.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-1}
threads=${THREADS:-2}
epochs=${EPOCHS:-2}
rows=${ROWS:-25600}
calls=${CALLS:-10000}
cli_epochs=${CLI_EPOCHS:-1}
cli_images=${CLI_IMAGES:-10000}
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads DOTNET_PROCESSOR_COUNT=$threads
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "needs Debian's python3-torch (apt-get install python3-torch)" >&2; exit 1; }
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)
case "$blas" in *openblas*) ;; *) echo "libblas.so.3 is $blas, not OpenBLAS: PyTorch would be 30-60x slower (apt-get install libopenblas0-openmp)" >&2; exit 1;; esac
dotnet build -c Release -v q --nologo bench/Lathe.Bench >/dev/null
dotnet build -c Release -v q --nologo src/Lathe.Cli >/dev/null
bench="dotnet $PWD/bench/Lathe.Bench/bin/Release/net10.0/Lathe.Bench.dll"
lathe="dotnet $PWD/src/Lathe.Cli/bin/Release/net10.0/lathe.dll"

results=$(mktemp)
work=$(mktemp -d)
for round in $(seq "$rounds"); do
  for model in mlp cnn; do
    echo "round $round of $rounds: $model" >&2
    $bench train "$model" examples/fashion-mnist.yaml "$epochs" "$threads" "$rows" "$calls" | tail -n 1 >> "$results"
    env ${PEER_ENV:-} /usr/bin/python3 bench/train/torch_train.py "$model" "$epochs" "$threads" "$rows" "$calls" | tail -n 1 >> "$results"
  done
done
echo "lathe train (CNN, $cli_epochs epochs)" >&2
/usr/bin/python3 - examples/fashion-mnist.yaml "$work" "$cli_epochs" "$threads" "$cli_images" > "$work/fashion-mnist.yaml" <<'PY'
import gzip, re, sys
path, work, epochs, threads, images = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
text = open(path).read()
# The first CLI_IMAGES images (and labels) as IDX files of their own, split 80/10/10: `lathe train` scores every
# part after training, and the full set would make that longer than the training it times.
for key in ("path", "labels"):
    source = re.search(rf"(?m)^  {key}: (.*)$", text).group(1)
    raw = gzip.open(source).read()
    dims = raw[3]
    item = 1
    for d in range(1, dims):
        item *= int.from_bytes(raw[8 + 4 * (d - 1):12 + 4 * (d - 1)], "big")
    head = bytearray(raw[:4 + 4 * dims])
    head[4:8] = images.to_bytes(4, "big")
    target = f"{work}/{key}-idx{dims}-ubyte.gz"
    with gzip.open(target, "wb") as f:
        f.write(bytes(head) + raw[4 + 4 * dims:4 + 4 * dims + images * item])
    text = re.sub(rf"(?m)^  {key}: .*$", f"  {key}: {target}", text)
text = re.sub(r"(?m)^  test:\n(    .*\n)+", "", text)
text = re.sub(r"(?m)^  split: .*$", "  split: { train: 0.8, validation: 0.1, test: 0.1 }", text)
text = re.sub(r"(?m)^  epochs: .*$", f"  epochs: {epochs}", text)
text = re.sub(r"(?m)^  patience: .*$", f"  patience: {epochs}\n  threads: {threads}", text)
print(text, end="")
PY
$lathe train "$work/fashion-mnist.yaml" --out "$work/run" > /dev/null
$bench matmul "$threads" | tail -n 1 >> "$results"

/usr/bin/python3 - "$results" "$work/run/metrics.json" "$threads" "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
metrics = json.load(open(sys.argv[2]))
threads, blas = sys.argv[3], sys.argv[4]
runs = {}
for l in lines:
    if l.get("mode") == "matmul": peak = l; continue
    runs.setdefault((l["model"], l["tool"]), []).append(l)
med = lambda rs, k: statistics.median(r[k] for r in rs)
print(f"threads: {threads}; BLAS: {blas}; batch 128, Adam; {runs[('mlp', 'lathe')][0]['rows']} training images per epoch; "
      f"median over rounds of each run's best epoch\n")
print("Training (samples/s in wall time, and per second of the process's CPU time, every thread counted, which load")
print("from other programs disturbs far less):\n")
print("| model | parameters (Lathe / PyTorch) | Lathe samples/s | PyTorch samples/s | ratio | Lathe samples/CPU-s | PyTorch samples/CPU-s | ratio |")
print("|---|---|---|---|---|---|---|---|")
for model in ("mlp", "cnn"):
    l, p = runs[(model, "lathe")], runs[(model, "pytorch")]
    ls, ps, lc, pc = med(l, "samples_per_s"), med(p, "samples_per_s"), med(l, "samples_per_cpu_s"), med(p, "samples_per_cpu_s")
    print(f"| {model} | {l[0]['parameters']:,} / {p[0]['parameters']:,} | {ls:,.0f} | {ps:,.0f} | {ls / ps:.2f} | {lc:,.0f} | {pc:,.0f} | {lc / pc:.2f} |")
print("\nInference (single row: p50 / p99 of each call's wall time, PyTorch at THREADS and on one thread, the ratio against")
print("the faster of the two, as Lathe runs a lone row on one thread; batch 256: rows/s in wall and CPU time):\n")
print("| model | Lathe 1-row ms | PyTorch 1-row ms | PyTorch 1-row ms, one thread | ratio (p50) | Lathe batch rows/s | PyTorch batch rows/s | ratio | Lathe rows/CPU-s | PyTorch rows/CPU-s | ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for model in ("mlp", "cnn"):
    l, p = runs[(model, "lathe")], runs[(model, "pytorch")]
    l50, p50, p1 = med(l, "single_row_p50_ms"), med(p, "single_row_p50_ms"), med(p, "single_row_one_thread_p50_ms")
    lb, pb, lbc, pbc = med(l, "batch256_rows_per_s"), med(p, "batch256_rows_per_s"), med(l, "batch256_rows_per_cpu_s"), med(p, "batch256_rows_per_cpu_s")
    print(f"| {model} | {l50:.3f} / {med(l, 'single_row_p99_ms'):.3f} | {p50:.3f} / {med(p, 'single_row_p99_ms'):.3f} | "
          f"{p1:.3f} / {med(p, 'single_row_one_thread_p99_ms'):.3f} | {min(p50, p1) / l50:.2f} | "
          f"{lb:,.0f} | {pb:,.0f} | {lb / pb:.2f} | {lbc:,.0f} | {pbc:,.0f} | {lbc / pbc:.2f} |")
# Every round, in the order run (the medians above hide how far this machine's speed moves from one minute to the next).
print("\nEach round (Lathe / PyTorch): training samples/s; batch-256 rows/s; single-row p50 ms (PyTorch at THREADS and on one thread):\n")
for model in ("mlp", "cnn"):
    l, p = runs[(model, "lathe")], runs[(model, "pytorch")]
    rounds = "; ".join(f"{a['samples_per_s']:,.0f} / {b['samples_per_s']:,.0f}, {a['batch256_rows_per_s']:,.0f} / {b['batch256_rows_per_s']:,.0f}, "
                       f"{a['single_row_p50_ms']:.3f} / {b['single_row_p50_ms']:.3f} and {b['single_row_one_thread_p50_ms']:.3f}" for a, b in zip(l, p))
    print(f"- {model}: {rounds}")
# The CNN's forward multiply-adds per 28x28 image: conv 1->32 and 32->64 (3x3, padding 1, before each 2x2 pool),
# the dense layer 64*7*7 -> 128 and the head 128 -> 10. Training is counted as 3x the forward (backward ~ 2x).
macs = 28 * 28 * 32 * 9 * 1 + 14 * 14 * 64 * 9 * 32 + 64 * 7 * 7 * 128 + 128 * 10
train_flops = 3 * 2 * macs
history = metrics["history"]
cli_rate = max(metrics["rows"]["train"] / e["seconds"] for e in history) if history else 0
cnn = med(runs[("cnn", "lathe")], "samples_per_s")
cnn_cpu = med(runs[("cnn", "lathe")], "samples_per_cpu_s") / int(threads)
top = max(peak["gflops_1024"], peak["gflops_2048"])
print(f"\n`lathe train` (CNN, real CLI): best epoch {cli_rate:,.0f} samples/s, counting the epoch's validation pass of {metrics['rows']['validation']:,} images; "
      f"{metrics['rows']['train']:,} training images; validation accuracy after {len(history)} epochs {history[-1]['validation_metric']:.4f}")
print(f"matmul peak (fp32, libtorch through TorchSharp, best of repeats): 1024² {peak['gflops_1024']:.1f} GFLOP/s, 2048² {peak['gflops_2048']:.1f} GFLOP/s")
print(f"CNN training: {train_flops / 1e6:.2f} MFLOP per image (forward {2 * macs / 1e6:.2f} x 3) x {cnn:,.0f} images/s = "
      f"{train_flops * cnn / 1e9:.1f} GFLOP/s, {100 * train_flops * cnn / 1e9 / top:.0f}% of the measured matmul peak; "
      f"per CPU-second of each of the {threads} threads: {train_flops * cnn_cpu / 1e9:.1f} GFLOP/s")
PY
rm -rf "$results" "$work"
