"""Reads bench/serve/onelat.c's per-request latencies and prints the raw percentiles, the p99 that wrk would report
for the same run, and how much of the run's time went to slow answers, by how slow.

wrk 4.1 ends a run with stats_correct(): with `interval` the run's mean time between requests on a connection, every
recorded latency L of at least 2 * interval adds synthetic samples at L - interval, L - 2 * interval, ... down to the
interval. A stall of S thus adds about S / interval samples, and the share of wrk's samples above x is about the
share of the run's time spent in answers slower than x, beyond x, whatever the server's pace.

    /usr/bin/python3 bench/serve/onelat.py OUT.txt [NAME]
"""
import sys

BUCKETS = [(200, 500), (500, 800), (800, 1200), (1200, 2000), (2000, 5000), (5000, float("inf"))]


def percentile(ordered, p):
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main():
    rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
    name = sys.argv[2] if len(sys.argv) > 2 else sys.argv[1]
    latencies = [latency for _, latency in rows]
    duration = rows[-1][0] + rows[-1][1]
    interval = duration / len(rows)
    corrected = list(latencies)
    for latency in latencies:
        if latency >= 2 * interval:
            m = latency - interval
            while m > interval:
                corrected.append(m)
                m -= interval
    raw = sorted(latencies)
    corrected.sort()
    print(f"{name}: {len(rows)} requests, {len(rows) / duration * 1e6:,.0f}/s; raw p50 {percentile(raw, 50):.0f} µs, "
          f"p99 {percentile(raw, 99):.0f}, p99.9 {percentile(raw, 99.9):.0f}, max {raw[-1]:.0f}; "
          f"wrk's corrected p99 {percentile(corrected, 99):.0f} µs ({len(corrected) - len(rows)} synthetic samples)")
    print("  answers taking    count   their time   share of the run")
    for low, high in BUCKETS:
        chosen = [latency for latency in latencies if low <= latency < high]
        label = f"{low}-{high:.0f} µs" if high != float("inf") else f"{low}+ µs"
        print(f"  {label:>14} {len(chosen):9d} {sum(chosen) / 1e3:9.1f} ms {sum(chosen) / duration * 100:9.2f}%")


if __name__ == "__main__":
    main()
