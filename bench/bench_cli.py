"""CLI start-up benchmark: whole `wuye` processes, `wuye --help` as the baseline in the same run.

    .venv/bin/python bench/bench_cli.py [--runs 5]

Measures (median wall time of --runs fresh processes, after one unmeasured run that builds the
index in a temp WUYE_DATA_DIR): `wuye --help`; `wuye draft "…"` with the offline drafter (cold
process, index present); `wuye check --stage act "…"`; an empty complaint rejected. Targets:
draft ≤ 3 s, check ≤ 2 s, empty complaint ≤ 1 s. Prints the load average next to the numbers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WUYE = str(Path(sys.executable).parent / "wuye")
COMMANDS = [
    ("wuye --help (baseline)", ["--help"], 0, None),
    ('wuye draft "…" (offline)', ["draft", "楼上漏水三天了,我家天花板都泡坏了,打了两次电话都没人来!"], 0, 3.0),
    ('wuye check --stage act "…"', ["check", "--stage", "act", "这事不归我们管,您自己找开发商吧。"], None, 2.0),
    ('wuye draft "" (rejected)', ["draft", ""], 2, 1.0),
]


def run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([WUYE, *args], env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wuye-bench-cli-") as tmp:
        env = {**os.environ, "WUYE_DATA_DIR": tmp}
        for name in ("WUYE_MODEL", "WUYE_DATABASE_URL"):
            env.pop(name, None)
        run(COMMANDS[1][1], env)  # builds the index and the database once, not measured
        rows = []
        for label, argv, want, target in COMMANDS:
            samples = []
            for _ in range(args.runs):
                seconds, code = run(argv, env)
                if want is not None and code != want:
                    raise SystemExit(f"{label}: exit {code}, expected {want}")
                samples.append(seconds)
            rows.append((label, statistics.median(samples), min(samples), target))
    load = os.getloadavg()
    print(f"\nwuye CLI start-up ({os.cpu_count()} cores, load avg {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; "
          f"median of {args.runs} fresh processes)")
    print(f"{'command':<34}{'median':>9}{'min':>9}{'target':>9}")
    print("-" * 61)
    for label, median, best, target in rows:
        mark = "" if target is None else (" ✓" if median <= target else " ✗")
        print(f"{label:<34}{median:>8.2f}s{best:>8.2f}s{(f'≤ {target:.0f} s' if target else '—'):>9}{mark}")


if __name__ == "__main__":
    main()
