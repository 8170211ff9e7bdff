"""Prints bench/serve/run.sh's results (one JSON line per server, configuration and connection count) as Markdown:
at each connection count, the best configuration (highest requests/s) of Lathe with micro-batching on, of Lathe with
it off, and of the FastAPI peer, with the throughput ratios and whether Lathe's p99 is lower than the lowest p99 of
any peer configuration; then every run. A configuration run several times at one connection count (run.sh's REPEATS)
counts by its median requests/s, p50 and p99 over those runs.
Exits 1 when any run had a non-2xx answer, a socket error, or no answer at all."""
import json
import statistics
import sys

SIDES = {"lathe-batching-on": "Lathe, batching on", "lathe-batching-off": "Lathe, batching off", "peer": "FastAPI"}


def config(run):
    return f"{run['config']} torch thread(s)" if run["server"] != "peer" else f"{run['config']} (workers x torch threads)"


def bad(run):
    r = run["result"]
    return r["non2xx"] or r["socket_errors"] or not r["requests"]


def flaw(run):
    r = run["result"]
    if not bad(run):
        return ""
    kinds = ", ".join(f"{r[k]} {k}" for k in ("connect", "read", "write", "timeout") if r.get(k))
    return f" **{r['non2xx']} non-2xx, {r['socket_errors']} socket errors{f' ({kinds})' if kinds else ''}**"


def cpu(run):
    """The server's CPU milliseconds per answer (all its processes)."""
    return f"{run['cpu_ms'] / run['result']['requests']:.3f}" if "cpu_ms" in run and run["result"]["requests"] else "—"


def brief(run):
    r = run["result"]
    return f"{r['rps']:,.0f} req/s, {r['p50_ms']:.2f} / {r['p99_ms']:.2f} ms, CPU {cpu(run)} ms/req ({run['config']}){flaw(run)}"


def combined(repeats):
    """One configuration's runs at one connection count as one: the median requests/s, p50 and p99, so that one run
    with a stop of the host in it does not decide the p99; the answers, failures and CPU time of all of them."""
    if len(repeats) == 1:
        return repeats[0]
    results = [r["result"] for r in repeats]
    result = {key: sum(r.get(key, 0) for r in results)
              for key in ("requests", "non2xx", "socket_errors", "connect", "read", "write", "timeout")}
    result |= {key: statistics.median(r[key] for r in results) for key in ("rps", "p50_ms", "p99_ms")}
    result["max_ms"] = max(r["max_ms"] for r in results)
    run = dict(repeats[0], result=result, repeats=len(repeats))
    if all("cpu_ms" in r for r in repeats):
        run["cpu_ms"] = sum(r["cpu_ms"] for r in repeats)
    return run


def main():
    with open(sys.argv[1]) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    failed = [r for r in runs if bad(r)]
    every = runs
    groups = {}
    for r in runs:
        groups.setdefault((r["model"], r["server"], r["config"], r["connections"]), []).append(r)
    runs = [combined(group) for group in groups.values()]
    print("Best configuration of each side at each connection count: requests/s, p50 / p99 latency, and the configuration "
          "(Lathe: torch threads; FastAPI: workers x torch threads), with the server's CPU time per request. Requests/s counts every answer; a run with any non-2xx "
          "answer is marked, and is a side's best only when it has no clean run.")
    print()
    print("| model | conns | Lathe, batching on | Lathe, batching off | FastAPI + uvicorn + PyTorch | req/s ratio on / off | p99 lower on / off |")
    print("|---|---:|---|---|---|---:|---|")
    for model in dict.fromkeys(r["model"] for r in runs):
        for c in sorted({r["connections"] for r in runs if r["model"] == model}):
            best = {}
            for side in SIDES:
                candidates = [r for r in runs if r["model"] == model and r["connections"] == c and r["server"] == side]
                if candidates:
                    # A run with failed requests is no one's best while a clean one exists.
                    best[side] = max(candidates, key=lambda r: (not bad(r), -r["result"]["non2xx"], r["result"]["rps"]))
            if "peer" not in best:
                continue
            peer = best["peer"]["result"]
            cells = [brief(best[side]) if side in best else "—" for side in SIDES]
            ratios = " / ".join(f"{best[s]['result']['rps'] / peer['rps']:.2f}" if s in best and peer["rps"] else "—"
                                for s in ("lathe-batching-on", "lathe-batching-off"))
            # Against the lowest p99 of any clean peer configuration, not only the fastest one's.
            peers = [r for r in runs if r["model"] == model and r["connections"] == c and r["server"] == "peer" and not bad(r)]
            peer_p99 = min((r["result"]["p99_ms"] for r in peers), default=peer["p99_ms"])
            lower = " / ".join(("yes" if best[s]["result"]["p99_ms"] < peer_p99 else "no") if s in best else "—"
                               for s in ("lathe-batching-on", "lathe-batching-off")) + f" (vs {peer_p99:.2f} ms)"
            print(f"| {model} | {c} | {' | '.join(cells)} | {ratios} | {lower} |")
    print()
    print("| model | server | configuration | conns | run | req/s | p50 ms | p99 ms | max ms | server CPU ms / request |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in every:
        result = r["result"]
        print(f"| {r['model']} | {SIDES[r['server']]} | {config(r)} | {r['connections']} | {r.get('repeat', 1)} | "
              f"{result['rps']:,.0f} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f}{flaw(r)} | {result['max_ms']:.1f} | {cpu(r)} |")
    if failed:
        for r in failed:
            print(f"{r['model']} {r['server']} {r['config']} at {r['connections']} connections: {r['result']['requests']} "
                  f"requests answered, {r['result']['non2xx']} non-2xx, {r['result']['socket_errors']} socket errors", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
