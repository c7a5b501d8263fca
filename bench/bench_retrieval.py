"""Retrieval benchmark: index build times and warm query latency on the embedded default.

    .venv/bin/python bench/bench_retrieval.py [--rounds 5]

Uses the shipped corpus (corpus/) and the queries of evals/retrieval/queries.yaml, in a
temporary WUYE_DATA_DIR (nothing is written to ./data). Prints one table.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query set")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="wuye-bench-"))
    os.environ["WUYE_DATA_DIR"] = str(data_dir)
    import agent  # noqa: F401  (no-telemetry environment)
    from agent.retrieval.evaluate import load_queries
    from agent.retrieval.index import build_index
    from agent.retrieval.search import Retriever
    from agent.settings import Settings

    settings = Settings(data_dir=data_dir)
    rows: list[tuple[str, str, str]] = []

    t = time.perf_counter()
    first = build_index(settings)
    rows.append(("build, empty index (in process)", f"{(time.perf_counter() - t) * 1000:.0f} ms",
                 f"{first.added} entries embedded"))

    times = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        report = build_index(settings)
        times.append(time.perf_counter() - t)
    assert not report.changed
    rows.append(("build, nothing changed (in process)", f"{statistics.median(times) * 1000:.0f} ms", "median"))

    cli = [str(Path(sys.executable).with_name("wuye")), "corpus", "build"]
    walls, cpus = [], []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True, env=os.environ.copy())
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    rows.append(("`wuye corpus build`, nothing changed", f"{statistics.median(walls):.2f} s",
                 f"median of 3, whole process; CPU {statistics.median(cpus):.2f} s; "
                 f"load average {os.getloadavg()[0]:.1f}"))

    t = time.perf_counter()
    retriever = Retriever.open(settings)
    rows.append(("Retriever.open (BM25 stats, vectors)", f"{(time.perf_counter() - t) * 1000:.0f} ms", "once per process"))

    queries = [case["query"] for case in load_queries(ROOT / "evals" / "retrieval" / "queries.yaml")]
    for q in queries:  # warm-up
        retriever.search(q, k=5)

    def measure(fn) -> list[float]:  # type: ignore[no-untyped-def]
        out = []
        for _ in range(args.rounds):
            for q in queries:
                t0 = time.perf_counter()
                fn(q)
                out.append((time.perf_counter() - t0) * 1000)
        return out

    for label, fn in [
        ("search(k=5)", lambda q: retriever.search(q, k=5)),
        ("search(stage=act, k=3)", lambda q: retriever.search(q, stage="act", k=3)),
        ("search_stages(all six, k=3)", lambda q: retriever.search_stages(q, k=3)),
    ]:
        ms = measure(fn)
        rows.append((f"warm {label}", f"p50 {pct(ms, 0.5):.2f} ms", f"p95 {pct(ms, 0.95):.2f} ms, n={len(ms)}"))

    width = max(len(r[0]) for r in rows)
    print(f"retrieval benchmark — {len(retriever.entries)} entries, {len(queries)} queries, "
          f"{os.cpu_count()} CPUs, embedding {first.embedding}")
    print(f"{'measure':<{width}}  {'value':>14}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>14}  {note}")


if __name__ == "__main__":
    main()
