"""Benchmark the eval runner: drafting cases per second in mocked mode, and the whole shipped suite.

    .venv/bin/python bench/bench_evals.py [--rounds 3] [--skip-cold]

Warm numbers run the shipped inline drafting suites in-process after one warm-up round (the
real workflow, litellm and guardrails; the model mocked by respx). The cold number runs
`wuye eval` on every shipped suite in a fresh process, as CI does.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import agent  # noqa: E402,F401  (process-wide safety defaults first)
from agent.settings import Settings  # noqa: E402
from evals.loader import load_suites  # noqa: E402
from evals.runner import EvalRunner  # noqa: E402


def _cases_per_second(runner, suites, rounds: int) -> tuple[float, float, list[float], int]:
    """Mean and best-round cases/s over ``rounds`` rounds, per-case times (ms), cases per round."""
    times: list[float] = []
    rates: list[float] = []
    total = count = 0
    for _ in range(rounds):
        started, in_round = time.perf_counter(), 0
        for suite in suites:
            runner.begin_suite(suite)
            for case in suite.cases:
                t = time.perf_counter()
                runner.run_case(suite, case)
                times.append((time.perf_counter() - t) * 1000)
                in_round += 1
            runner.end_suite(suite)
        elapsed = time.perf_counter() - started
        rates.append(in_round / elapsed)
        total += elapsed
        count += in_round
    return count / total, max(rates), times, count // rounds


def _pooled(settings, suites, jobs: int, rounds: int):  # type: ignore[no-untyped-def]
    """Warm throughput of ``-j jobs``: the workers are started and warmed by one untimed round."""
    from evals.parallel import DraftingPool

    pool = DraftingPool(settings, jobs)
    try:
        n = sum(len(s.cases) for s in suites)
        for round_ in range(rounds + 1):
            if round_ == 1:
                started = time.perf_counter()
            pool.submit(suites)
            for suite in suites:
                pool.collect(suite, lambda: None)
        rate = n * rounds / (time.perf_counter() - started)
    finally:
        pool.close()
    return (f"drafting, all inline, -j {jobs}", n, rate, float("nan"), float("nan"), float("nan"))


def warm(rounds: int, jobs: int) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        suites, issues = load_suites(None, settings)
        if issues:
            raise SystemExit("invalid shipped suites:\n" + "\n".join(map(str, issues)))
        evals = EvalRunner(settings)
        inline = [s for s in suites if s.kind == "drafting" and s.source is None]
        served = [dataclasses.replace(s, cases=[c for c in s.cases if "model_responses" in c]) for s in inline]
        groups = {
            "drafting, all inline cases": inline,  # mocked model + offline-drafter cases, as `wuye eval` runs them
            "drafting, model-served only": served,  # only the cases answered by the respx-mocked model
            "guardrail (labelled set)": [s for s in suites if s.kind == "guardrail"],
            "retrieval (query set)": [s for s in suites if s.kind == "retrieval"],
        }
        for label, group in groups.items():
            group = [s for s in group if s.cases]
            if not group:
                continue
            runner = evals._runner(group[0].kind)
            _cases_per_second(runner, group, 1)  # warm-up: imports, index, first graph run
            rate, best, times, n = _cases_per_second(runner, group, rounds)
            times.sort()
            rows.append((label, n, rate, best, statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]))
        evals.close()
        if jobs > 1 and inline:
            rows.append(_pooled(settings, inline, jobs, rounds))

    print(f"{'what':<28} {'cases':>6} {'cases/s':>9} {'best/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for label, n, rate, best, p50, p95 in rows:
        cells = "".join(f" {v:>8.1f}" if v == v else f" {'—':>8}" for v in (best, p50, p95))  # nan → —
        print(f"{label:<28} {n:>6} {rate:>9.1f}{cells}")


def cold() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        command = [sys.executable, "-c", "from cli.main import app; app()", "eval"]  # = `wuye eval`
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              env={**_env(), "WUYE_DATA_DIR": tmp})
        seconds = time.perf_counter() - started
    summary = next((line for line in done.stdout.splitlines() if "cases 用例" in line), "")
    print(f"\n`wuye eval` (every shipped suite, fresh process, fresh index): {seconds:.1f} s, exit {done.returncode}")
    print(summary.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2, help="also measure -j N worker processes (1 = skip)")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--only-cold", action="store_true")
    args = parser.parse_args()
    if not args.only_cold:
        warm(args.rounds, args.jobs)
    if not args.skip_cold:
        cold()


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("WUYE_")}


if __name__ == "__main__":
    main()
