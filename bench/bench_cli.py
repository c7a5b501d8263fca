"""CLI start-up benchmark: whole `wuye` processes, `wuye --help` as the baseline in the same run.

    .venv/bin/python bench/bench_cli.py [--runs 5] [--baseline REF]

Measures (median wall time of --runs fresh processes, after one unmeasured run that builds the
index in a temp WUYE_DATA_DIR): `wuye --help`; `wuye draft "…"` with the offline drafter (cold
process, index present); `wuye check --stage act "…"`; an empty complaint rejected. Targets:
draft ≤ 3 s, check ≤ 2 s, empty complaint ≤ 1 s. Prints the load average next to the numbers.

With ``--baseline REF`` the same commands also run against a ``git worktree`` of REF (this
virtualenv's Python with the worktree first on the path, its own temp data dir), interleaved run by
run with this tree's so both columns see the same machine load.
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

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [
    ("wuye --help (baseline)", ["--help"], 0, None),
    ('wuye draft "…" (offline)', ["draft", "楼上漏水三天了,我家天花板都泡坏了,打了两次电话都没人来!"], 0, 3.0),
    ('wuye check --stage act "…"', ["check", "--stage", "act", "这事不归我们管,您自己找开发商吧。"], None, 2.0),
    ('wuye draft "" (rejected)', ["draft", ""], 2, 1.0),
]


def wuye(tree: Path) -> list[str]:
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'wuye'; from cli.main import main; main()"] \
        if tree != ROOT else [str(Path(sys.executable).parent / "wuye")]


def run(cmd: list[str], args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, cwd=cwd)
    return time.perf_counter() - started, done.returncode


def baseline_tree(ref: str) -> Path:
    """A ``git worktree`` of ``ref`` (kept under the temp dir for later runs)."""
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"wuye-bench-baseline-{commit}"
    if not (tree / "agent").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True,
                       capture_output=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", metavar="REF", help="also measure a git worktree of REF, interleaved")
    args = parser.parse_args()
    trees = [("this tree", ROOT)] + ([(f"baseline {args.baseline}", baseline_tree(args.baseline))]
                                     if args.baseline else [])
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="wuye-bench-cli-") as tmp:
        envs = {}
        for i, (name, tree) in enumerate(trees):
            env = {**os.environ, "WUYE_DATA_DIR": str(Path(tmp) / str(i))}
            if tree != ROOT:
                env["PYTHONPATH"] = str(tree)
            for var in ("WUYE_MODEL", "WUYE_DATABASE_URL"):
                env.pop(var, None)
            envs[name] = env
            run(wuye(tree), COMMANDS[1][1], env, tree)  # builds the index and the database once, not measured
        samples: dict[tuple[str, str], list[float]] = {}
        for label, argv, want, _ in COMMANDS:
            for _ in range(args.runs):
                for name, tree in trees:
                    seconds, code = run(wuye(tree), argv, envs[name], tree)
                    if want is not None and code != want:
                        raise SystemExit(f"{name} · {label}: exit {code}, expected {want}")
                    samples.setdefault((name, label), []).append(seconds)
            loads.append(os.getloadavg()[0])
    print(f"\nwuye CLI start-up ({os.cpu_count()} cores, 1-min load avg {min(loads):.1f}–{max(loads):.1f} during the "
          f"run; median of {args.runs} fresh processes each{', interleaved' if len(trees) > 1 else ''})")
    head = f"{'command':<30}" + "".join(f"{name + ' med/min':>26}" for name, _ in trees) + f"{'target':>9}"
    print(head)
    print("-" * len(head))
    for label, _, _, target in COMMANDS:
        cells = ""
        for name, _ in trees:
            got = samples[(name, label)]
            cells += f"{statistics.median(got):>19.2f}/{min(got):.2f}s"
        mine = statistics.median(samples[(trees[0][0], label)])
        mark = "" if target is None else (" ✓" if mine <= target else " ✗")
        print(f"{label:<30}{cells}{(f'≤ {target:.0f} s' if target else '—'):>9}{mark}")


if __name__ == "__main__":
    main()
