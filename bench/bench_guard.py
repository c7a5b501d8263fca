"""Guardrails benchmark: one six-stage draft set through `GuardChecker.check_set`, and
`wuye check --jsonl` on 10,000 lines including start-up. Prints a small table.

    .venv/bin/python bench/bench_guard.py [--sets 500] [--lines 10000]
"""

from __future__ import annotations

import argparse
import json
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

import agent  # noqa: E402,F401  (telemetry-off environment first)

DRAFT_SET = {
    "listen": "您别着急,慢慢说,楼上漏水的情况我都一条一条记下来了。",
    "empathize": "天花板一直滴水,晚上都睡不踏实,换了谁都会着急,这不是您的错。",
    "ask": "请问漏水是从哪天开始的?主要在卫生间吊顶还是客厅墙角?方便留个联系电话吗,师傅上门前先跟您约时间。",
    "act": "我已转交工程部王主管,他两小时内给您回电,今天下午三点前维修班李师傅上门查看,我也会全程跟进。",
    "negotiate": "墙面受损的部分,等第三方定损后按物业服务合同约定处理,明天中午前我把定损时间告诉您,您看可以吗?",
    "thank": "谢谢您及时告诉我们,修好后我再给您回个电话确认。如果还有其他问题,请随时致电客服中心400-800-1234。",
}

LINE_TEXTS = [
    ("act", "我们会尽快处理的。"),
    ("listen", "您说的根本不对,我们上周就检修过了。"),
    ("act", "我已转交工程部王主管,两小时内回电,我也会跟进。"),
    ("thank", "谢谢您的理解和支持!"),
    ("negotiate", "您放心,我们保证全额赔偿。"),
    ("ask", "顺便问一下,您在哪个单位上班?"),
    ("empathize", "這不是您的錯,是我們巡查不到位,真的很抱歉。"),
    ("act", "楼上业主的电话是13812345678,您自己去找他吧。"),
    ("thank", "如果还有其他问题,请随时致电客服中心。"),
    ("act", "今天下午三点前由维修班长李师傅上门,工单号GD20240612001。"),
]


def _one_round(checker, n: int, tag: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    timings, cpu = [], []
    for i in range(n):
        drafts = {k: f"{v}({tag}{i})" for k, v in DRAFT_SET.items()}  # new texts: no cache helps
        t, c = time.perf_counter(), time.process_time()
        checker.check_set(drafts)
        cpu.append((time.process_time() - c) * 1000)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    cpu.sort()
    return {"p50_ms": statistics.median(timings), "p95_ms": timings[int(0.95 * len(timings)) - 1],
            "max_ms": timings[-1], "cpu_p50_ms": statistics.median(cpu),
            "cpu_p95_ms": cpu[int(0.95 * len(cpu)) - 1]}


def bench_sets(n: int, rounds: int = 3) -> dict[str, float]:
    """``rounds`` rounds of ``n`` draft sets; the round with the median p95 is reported (the
    machine is shared: single rounds swing with other jobs' load)."""
    from agent.guard import GuardChecker
    from agent.settings import Settings

    checker = GuardChecker.from_settings(Settings())
    _one_round(checker, 50, "预热")  # warm-up: guardrails import, Guard construction, lazy regexes
    results = sorted((_one_round(checker, n, f"草稿{r}-") for r in range(rounds)), key=lambda r: r["p95_ms"])
    chosen = dict(results[len(results) // 2])
    chosen["p95_all"] = [round(r["p95_ms"], 2) for r in results]
    return chosen


# one short reply that passes the guard: a cold `wuye check` must exit 0 on it (exit 1 is either a
# flagged reply or an unexpected failure, so it cannot be told apart from a broken command)
COLD_TEXT = "好的,我这就给您登记工单,今天下午三点前安排师傅上门查看。"


def _wuye(env: dict[str, str]) -> list[str]:
    """`wuye`, or `python -m agent.guard.cli` (same command) if the `wuye` entry point is broken."""
    wuye = ROOT / ".venv" / "bin" / "wuye"
    if wuye.exists():
        probe = subprocess.run([str(wuye), "check", "--stage", "act", COLD_TEXT], capture_output=True, env=env)
        if probe.returncode == 0:
            return [str(wuye)]
        print(f"note: `wuye check` failed ({probe.stderr.decode()[-200:].strip()}); "
              "measuring `python -m agent.guard.cli` instead", file=sys.stderr)
    return [sys.executable, "-m", "agent.guard.cli"]


def bench_jsonl(lines: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for i in range(lines):
                stage, text = LINE_TEXTS[i % len(LINE_TEXTS)]
                fh.write(json.dumps({"id": i, "stage": stage, "text": f"{text}(第{i}条)"}, ensure_ascii=False) + "\n")
        env = {**os.environ, "WUYE_DATA_DIR": tmp}
        cmd = _wuye(env)
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([*cmd, "check", "--jsonl", str(src)], capture_output=True, env=env, check=False)
        elapsed = time.perf_counter() - t
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        out_lines = proc.stdout.decode("utf-8").count("\n")
        if proc.returncode not in (0, 1) or out_lines != lines:  # 1 = some lines failed the guard (a gate)
            raise SystemExit(f"wuye check --jsonl failed: rc={proc.returncode}, {out_lines} lines\n"
                             f"{proc.stderr.decode()[-2000:]}")
        colds = []
        for _ in range(3):
            t = time.perf_counter()
            cold = subprocess.run([*cmd, "check", "--stage", "act", COLD_TEXT], capture_output=True, env=env)
            colds.append(time.perf_counter() - t)
            if cold.returncode != 0:  # the text passes: anything else is a failure, not a timing
                raise SystemExit(f"wuye check failed: rc={cold.returncode}\n{cold.stderr.decode()[-2000:]}")
        startup = statistics.median(colds)
    return {"lines": lines, "seconds": elapsed, "lines_per_s": lines / elapsed, "startup_s": startup,
            "cpu_s": cpu, "lines_per_cpu_s": lines / cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", type=int, default=500)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    sets = bench_sets(args.sets)
    jsonl = bench_jsonl(args.lines)
    print("| measurement | value | target |")
    print("|---|---:|---:|")
    print(f"| six-stage draft set, check_set p50 ({args.sets} runs, median of 3 rounds) | {sets['p50_ms']:.2f} ms | |")
    print(f"| six-stage draft set, check_set p95 (rounds: {sets['p95_all']}) | {sets['p95_ms']:.2f} ms | ≤ 20 ms |")
    print(f"| six-stage draft set, check_set max | {sets['max_ms']:.2f} ms | |")
    print(f"| six-stage draft set, CPU time p50 / p95 | {sets['cpu_p50_ms']:.2f} / {sets['cpu_p95_ms']:.2f} ms | |")
    print(f"| `wuye check --jsonl`, {jsonl['lines']:,} lines incl. start-up | {jsonl['seconds']:.2f} s | |")
    print(f"| `wuye check --jsonl` throughput | {jsonl['lines_per_s']:,.0f} lines/s | ≥ 300 lines/s |")
    print(f"| same run, CPU time of the process (user + sys) | {jsonl['cpu_s']:.2f} s "
          f"({jsonl['lines_per_cpu_s']:,.0f} lines per CPU-second) | |")
    print(f"| `wuye check \"好的,我这就…\"` one reply, cold process, median of 3 (wall) | {jsonl['startup_s']:.2f} s | ≤ 2 s |")
    print(f"\nload average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
