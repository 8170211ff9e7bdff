"""Where an MLP training step goes in PyTorch: the loop of `Lathe.Bench step THREADS` (the MLP 784-256-128-10 with Adam
on one batch of 128 random rows; best of five rounds of 2,000 steps for the whole step, zero-grad + forward + backward,
and optimizer.step() alone). Run it with /usr/bin/python3 over libopenblas0-openmp, with and without
MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=536870912 (the glibc settings Lathe applies to itself)."""
import json
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(42)
network = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
optimizer = torch.optim.Adam(network.parameters(), 0.001)
x = torch.rand(128, 784)
y = torch.randint(0, 10, (128,))


def best(step):
    for _ in range(100):
        step()
    fastest = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(2000):
            step()
        fastest = min(fastest, (time.perf_counter() - started) / 2000 * 1e6)
    return fastest


def forward_backward():
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(network(x), y).backward()


def whole():
    forward_backward()
    optimizer.step()


step_us, forward_backward_us, optimizer_us = best(whole), best(forward_backward), best(optimizer.step)
print(json.dumps({"mode": "step", "threads": threads, "step_us": round(step_us, 1), "forward_backward_us": round(forward_backward_us, 1),
                  "optimizer_us": round(optimizer_us, 1), "samples_per_second": round(128 / step_us * 1e6)}))
