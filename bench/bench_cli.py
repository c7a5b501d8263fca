"""CLI start-up benchmark: whole `wuye` processes, `wuye --help` as the baseline in the same run.

    .venv/bin/python bench/bench_cli.py [--runs 5] [--baseline REF]

Measures (median wall time and median CPU time — user + sys of the process — of --runs fresh
processes, after one unmeasured run that builds the index in a temp WUYE_DATA_DIR): `wuye --help`;
`wuye draft "…"` with the offline drafter (cold process, index present); `wuye check --stage act
"…"`; an empty complaint rejected. Targets: draft ≤ 3 s, check ≤ 2 s, empty complaint ≤ 1 s.
Prints the load average next to the numbers. On a shared, loaded machine the wall time is the CPU
time times the contention; the CPU column is the steadier comparison.

Also measured, as the floor the engines set: a bare Python importing LangGraph's StateGraph, and
guardrails-ai (both pull in langchain_core and langsmith), in the same run.

With ``--baseline REF`` the same commands also run against a ``git worktree`` of REF (this
virtualenv's Python with the worktree first on the path, its own temp data dir), interleaved run by
run with this tree's so both columns see the same machine load.
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
COMMANDS = [
    ("wuye --help (baseline)", ["--help"], 0, None),
    ('wuye draft "…" (offline)', ["draft", "楼上漏水三天了,我家天花板都泡坏了,打了两次电话都没人来!"], 0, 3.0),
    ('wuye check --stage act "…"', ["check", "--stage", "act", "这事不归我们管,您自己找开发商吧。"], None, 2.0),
    ('wuye draft "" (rejected)', ["draft", ""], 2, 1.0),
]
FLOOR = [
    ("python: import langgraph.graph", "from langgraph.graph import StateGraph"),
    ("python: import guardrails", "import agent, guardrails"),
    ("python: both (the draft floor)", "import agent, guardrails; from langgraph.graph import StateGraph"),
]


def wuye(tree: Path) -> list[str]:
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'wuye'; from cli.main import main; main()"] \
        if tree != ROOT else [str(Path(sys.executable).parent / "wuye")]


def run(cmd: list[str], args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the child, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.returncode


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
        samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for label, argv, want, _ in COMMANDS:
            for _ in range(args.runs):
                for name, tree in trees:
                    seconds, cpu, code = run(wuye(tree), argv, envs[name], tree)
                    if want is not None and code != want:
                        raise SystemExit(f"{name} · {label}: exit {code}, expected {want}")
                    samples.setdefault((name, label), []).append((seconds, cpu))
            loads.append(os.getloadavg()[0])
        floor: dict[str, list[tuple[float, float]]] = {}
        for label, code in FLOOR:
            for _ in range(args.runs):
                seconds, cpu, _ = run([sys.executable, "-c", code], [], envs[trees[0][0]], ROOT)
                floor.setdefault(label, []).append((seconds, cpu))
            loads.append(os.getloadavg()[0])
    print(f"\nwuye CLI start-up ({os.cpu_count()} cores, 1-min load avg {min(loads):.1f}–{max(loads):.1f} during the "
          f"run; median of {args.runs} fresh processes each{', interleaved' if len(trees) > 1 else ''}; "
          "wall / CPU seconds)")
    head = f"{'command':<32}" + "".join(f"{name:>24}" for name, _ in trees) + f"{'target (wall)':>15}"
    print(head)
    print("-" * len(head))
    for label, _, _, target in COMMANDS:
        cells = "".join(f"{_cell(samples[(name, label)]):>24}" for name, _ in trees)
        mine = statistics.median(w for w, _ in samples[(trees[0][0], label)])
        mark = "" if target is None else (" ✓" if mine <= target else " ✗")
        print(f"{label:<32}{cells}{(f'≤ {target:.0f} s' if target else '—'):>13}{mark}")
    for label, got in floor.items():
        print(f"{label:<32}{_cell(got):>24}")


def _cell(got: list[tuple[float, float]]) -> str:
    return f"{statistics.median(w for w, _ in got):.2f} / {statistics.median(c for _, c in got):.2f} s"


if __name__ == "__main__":
    main()
