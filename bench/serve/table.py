"""Prints bench/serve/run.sh's results (one JSON line per server, configuration and connection count) as Markdown:
Lathe with micro-batching on and off against the peer's best configuration at each connection count, then every
peer configuration. Exits 1 when any run had a non-2xx answer, a socket error, or no answer at all."""
import json
import sys


def cell(result):
    return f"{result['rps']:,.0f} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f}"


def main():
    with open(sys.argv[1]) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    failed = [r for r in runs if r["result"]["non2xx"] or r["result"]["socket_errors"] or not r["result"]["requests"]]
    models = list(dict.fromkeys(r["model"] for r in runs))
    print("| model | conns | Lathe batching on: req/s, p50, p99 ms | Lathe batching off: req/s, p50, p99 ms | "
          "FastAPI best (workers x threads): req/s, p50, p99 ms | ratio on / off | p99 lower (on / off) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for model in models:
        for c in sorted({r["connections"] for r in runs if r["model"] == model}):
            at = [r for r in runs if r["model"] == model and r["connections"] == c]
            on = next((r["result"] for r in at if r["server"] == "lathe-batching-on"), None)
            off = next((r["result"] for r in at if r["server"] == "lathe-batching-off"), None)
            peers = [r for r in at if r["server"] == "peer"]
            if on is None or off is None or not peers:
                continue
            best = max(peers, key=lambda r: r["result"]["rps"])
            peer = best["result"]
            print(f"| {model} | {c} | {cell(on).replace(' | ', ', ')} | {cell(off).replace(' | ', ', ')} | "
                  f"{cell(peer).replace(' | ', ', ')} ({best['config']}) | "
                  f"{on['rps'] / peer['rps']:.2f} / {off['rps'] / peer['rps']:.2f} | "
                  f"{'yes' if on['p99_ms'] < peer['p99_ms'] else 'no'} / {'yes' if off['p99_ms'] < peer['p99_ms'] else 'no'} |")
    print()
    print("| model | FastAPI workers x torch threads | conns | req/s | p50 ms | p99 ms |")
    print("|---|---|---:|---:|---:|---:|")
    for r in runs:
        if r["server"] == "peer":
            print(f"| {r['model']} | {r['config']} | {r['connections']} | {cell(r['result'])} |")
    if failed:
        for r in failed:
            print(f"{r['model']} {r['server']} {r['config']} at {r['connections']} connections: "
                  f"{r['result']['requests']} requests answered, {r['result']['non2xx']} non-2xx, {r['result']['socket_errors']} socket errors", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
