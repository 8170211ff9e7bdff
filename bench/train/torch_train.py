"""PyTorch's side of bench/train: the same models as Lathe's MLP and CNN on Fashion-MNIST, trained with a standard
loop (zero_grad, forward, cross_entropy, backward, step) over shuffled tensors preloaded in memory, then inference
in eval mode under no_grad. Prints one JSON line with the same fields as `Lathe.Bench train`.

usage: /usr/bin/python3 torch_train.py mlp|cnn EPOCHS THREADS [ROWS [CALLS]]
"""
import gzip, json, statistics, sys, time
import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist/"
WARMUP = 20  # batches before the clock starts, as Lathe.Bench's BatchClock
BATCH = 128


def idx(path):
    with gzip.open(DATA + path) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def model_of(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    # Lathe's Cnn with the foundation's settings: 3x3 convolutions, padding 1, no bias before batch norm, 2x2 max pooling.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))


def main():
    kind, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 54000
    calls = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    images = idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255
    labels = idx("train-labels-idx1-ubyte.gz").astype(np.int64)
    mean, std = images.mean(), images.std()
    x = torch.from_numpy((images - mean) / std).unsqueeze(1)
    y = torch.from_numpy(labels)
    # Lathe trains on 90% of the 60,000 images (the rest validate): the same count here.
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(42))
    # ROWS (optional) trains on fewer of them: shorter epochs, the same rate.
    train_x, train_y = x[order[:min(rows, 54000)]].contiguous(), y[order[:min(rows, 54000)]].contiguous()
    valid_x, valid_y = x[order[54000:]].contiguous(), y[order[54000:]].contiguous()

    model = model_of(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rates, cpu_rates = [], []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(train_x))
        batches = (len(train_x) + BATCH - 1) // BATCH
        for b in range(batches):
            if b == WARMUP:
                start, cpu_start = time.perf_counter(), time.process_time()
            index = perm[b * BATCH:(b + 1) * BATCH]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(train_x[index]), train_y[index])
            loss.backward()
            optimizer.step()
            loss.item()  # as Lathe, which sums each batch's loss for the epoch's figure
        rates.append((len(train_x) - WARMUP * BATCH) / (time.perf_counter() - start))
        # CPU time of the process (every thread): what another program's load on the machine disturbs far less.
        cpu_rates.append((len(train_x) - WARMUP * BATCH) / (time.process_time() - cpu_start))
    model.eval()
    with torch.no_grad():
        accuracy = (model(valid_x).argmax(1) == valid_y).float().mean().item()

    # Single-row latency: a caller's row (NumPy) in, class probabilities (NumPy) out; at THREADS, then on one thread
    # (Lathe runs a lone row on one thread, so the peer's single row is measured that way too and the faster counts).
    rows = [valid_x[i].numpy().copy() for i in range(64)]

    def single_rows():
        times = []
        for i in range(-200, calls):
            t = time.perf_counter()
            torch.softmax(model(torch.from_numpy(rows[i % 64]).unsqueeze(0)), 1).numpy()
            if i >= 0:
                times.append((time.perf_counter() - t) * 1000)
        return sorted(times)

    with torch.no_grad():
        times = single_rows()
        torch.set_num_threads(1)
        one_thread = single_rows()
        torch.set_num_threads(threads)
        # Batches of 256 over the preloaded validation rows, probabilities out, for 5 seconds.
        done, t, cpu = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - t < 5:
            for s in range(0, len(valid_x), 256):
                torch.softmax(model(valid_x[s:s + 256]), 1).numpy()
            done += len(valid_x)
        throughput, cpu_throughput = done / (time.perf_counter() - t), done / (time.process_time() - cpu)

    print(json.dumps({
        "tool": "pytorch", "model": kind, "threads": torch.get_num_threads(), "rows": len(train_x), "torch": torch.__version__,
        "parameters": sum(p.numel() for p in model.parameters()), "batch_size": BATCH,
        "samples_per_s": round(max(rates, default=0), 1), "samples_per_cpu_s": round(max(cpu_rates, default=0), 1), "samples_per_s_epochs": [round(r, 1) for r in rates],
        "validation_metric": round(accuracy, 4),
        "single_row_p50_ms": round(times[len(times) // 2], 4), "single_row_p99_ms": round(times[len(times) * 99 // 100], 4),
        "single_row_one_thread_p50_ms": round(one_thread[len(one_thread) // 2], 4), "single_row_one_thread_p99_ms": round(one_thread[len(one_thread) * 99 // 100], 4),
        "batch256_rows_per_s": round(throughput, 1), "batch256_rows_per_cpu_s": round(cpu_throughput, 1)}))


if __name__ == "__main__":
    main()
