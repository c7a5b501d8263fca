"""Benchmark the language helpers and the offline drafter (no model, no network).

    .venv/bin/python bench/bench_language.py [--rounds 20] [--jsonl FILE]

Times each helper over every complaint of evals/drafting/complaints.jsonl plus the repo's own
category-training complaints (falls back to a few built-in complaints), or over the ``text`` of
every line of ``--jsonl FILE`` (e.g. long real letters), and prints p50 / p95 / max in
milliseconds per complaint, and the load average (the machine is shared: read the numbers with it).
The budget of issue 12: masking + classification (learned model included) p95 ≤ 5 ms per complaint.

    .venv/bin/python bench/bench_language.py --complaints ../shared/realdata/complaints_dev.jsonl --split dev

times the same helpers over real long letters instead (only the ids of one split of
evals/real/split.json; the text is read, never printed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import agent  # noqa: E402,F401  (no-telemetry environment first)
from agent.drafting.offline.drafter import draft  # noqa: E402
from agent.drafting.request import DraftRequest  # noqa: E402
from agent.understand import learned  # noqa: E402
from agent.understand.classify import classify_offline  # noqa: E402
from agent.understand.pii import mask_pii  # noqa: E402
from agent.understand.script import detect_script, to_script, to_simplified  # noqa: E402
from agent.understand.specifics import extract_specifics  # noqa: E402
from agent.vocab import Script, Stage  # noqa: E402

FALLBACK = ["3号楼电梯又坏了,我妈被困在里面半小时!", "樓道裡聞到煤氣味,好害怕", "物业费凭什么涨价,我叫张伟电话13812345678"]


def _complaints(jsonl: Path | None = None) -> list[str]:
    if jsonl is not None:
        return [json.loads(line)["text"] for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = []
    for path in (ROOT / "evals" / "drafting" / "complaints.jsonl", ROOT / "evals" / "understand" / "category_train.jsonl"):
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts or FALLBACK


def _real(path: Path, split: str | None) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split:
        ids = set(json.loads((ROOT / "evals" / "real" / "split.json").read_text(encoding="utf-8"))[split])
        rows = [row for row in rows if row.get("id") in ids]
    return [row["text"] for row in rows if isinstance(row.get("text"), str) and row["text"].strip()]


def _techniques() -> dict[str, list[dict]]:
    from agent.retrieval.loader import load_corpus

    by_stage: dict[str, list[dict]] = {s.value: [] for s in Stage}
    for entry in load_corpus(ROOT / "corpus"):
        if entry.stage and len(by_stage[entry.stage.value]) < 3:
            by_stage[entry.stage.value].append({"id": entry.id, "title": entry.title, "guidance": entry.guidance,
                                                "phrasings": list(entry.phrasings)})
    return by_stage


CPU: dict[int, list[float]] = {}


def _cold() -> None:
    """Forget what earlier calls computed per complaint (situation, grounding evidence)."""
    from agent.drafting.offline.letter import _borne_at, _grievance_at
    from agent.guard.grounding import evidence
    from agent.understand.facts import _situation

    _situation.cache_clear()
    evidence.cache_clear()
    _grievance_at.cache_clear()
    _borne_at.cache_clear()


def _time(fn, items: list, rounds: int, before=None) -> list[float]:  # noqa: ANN001
    """Wall-clock samples (ms); the thread's CPU time of each call is kept in CPU (id of the list) —
    on a loaded shared machine the wall-clock tail is mostly time spent waiting for a core.
    ``before`` runs untimed before each call (clearing per-complaint caches, so every round pays
    the full cost a new complaint pays)."""
    samples, cpu = [], []
    for _ in range(rounds):
        for item in items:
            if before is not None:
                before()
            started, cpu_started = time.perf_counter(), time.thread_time()
            fn(item)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
    CPU[id(samples)] = cpu
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--complaints", type=Path, help="real complaints {id,text} JSONL instead of our own")
    parser.add_argument("--split", help="only the ids of this split of evals/real/split.json (dev)")
    parser.add_argument("--jsonl", type=Path, default=None, help="time these complaints instead (one {\"text\"} per line)")
    args = parser.parse_args()
    texts = _real(args.complaints, args.split) if args.complaints else _complaints(args.jsonl)
    masked = [to_simplified(mask_pii(t).text) for t in texts]
    techniques = _techniques()
    requests = [DraftRequest(complaint=m, classification=classify_offline(m), techniques=techniques) for m in masked]
    # warm caches (rules, OpenCC converters) so the numbers are steady-state
    classify_offline(texts[0]), detect_script(texts[0]), draft(requests[0]), mask_pii(texts[0])
    rows = [
        ("mask + classify (learned incl.)", _time(lambda t: classify_offline(mask_pii(t).text), texts, args.rounds)),
        ("learned model alone", _time(learned.probabilities, masked, args.rounds)),
        ("mask_pii", _time(mask_pii, texts, args.rounds)),
        ("detect_script", _time(detect_script, texts, args.rounds)),
        ("classify_offline", _time(classify_offline, masked, args.rounds)),
        ("extract_specifics", _time(extract_specifics, masked, args.rounds)),
        ("offline draft (6 stages)", _time(draft, requests, args.rounds, before=_cold)),
        ("to_script → Traditional", _time(lambda t: to_script(t, Script.traditional), masked, args.rounds)),
    ]
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"language helpers · {len(texts)} complaints × {args.rounds} rounds (ms per complaint)")
    for column in ("helper", "p50", "p95", "max", "cpu p50", "cpu p95"):
        table.add_column(column, justify="left" if column == "helper" else "right")
    for name, samples in rows:
        ordered = sorted(samples)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        cpu = sorted(CPU.get(id(samples), [0.0]))
        table.add_row(name, f"{statistics.median(ordered):.3f}", f"{p95:.3f}", f"{ordered[-1]:.3f}",
                      f"{statistics.median(cpu):.3f}", f"{cpu[int(0.95 * (len(cpu) - 1))]:.3f}")
    Console().print(table)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
