"""Channel forms of the offline drafter over our own complaint set: guard pass rate, characters and
sentences per stage, per channel (and without one).

    .venv/bin/python bench/bench_channels.py [--file evals/drafting/complaints.jsonl]

Every complaint is drafted once per channel through the real DraftCore (offline drafter, real guard,
a re-ask when a stage fails, as in production). The set is ours (written for the offline drafter and
tuned on), so this checks that channel forms do not break drafts; it is not a held-out quality score.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agent  # noqa: E402,F401

CHANNELS = [None, "wechat", "sms", "app", "phone", "visit", "letter"]


async def measure(path: Path) -> int:
    from agent.drafting.channel import sentences
    from agent.retrieval.index import build_index
    from agent.settings import Settings
    from agent.workflow.core import DraftCore
    from agent.workflow.models import Actor, DraftInput

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = Path(tempfile.mkdtemp(prefix="wuye-bench-channels-"))
    settings = Settings(data_dir=data)
    build_index(settings, progress=False)
    core = await DraftCore.open(settings)
    print(f"{len(rows)} complaints ({path}), offline drafter")
    print(f"{'channel':8} {'sets passing':>13} {'stages passing':>15} {'chars/set':>10} {'sentences/stage':>16}")
    try:
        for channel in CHANNELS:
            sets = stages = 0
            chars, counts = [], []
            for row in rows:
                draft = (await core.create(DraftInput(complaint=row["text"], project="bench", channel=channel),
                                           Actor(id="bench"))).draft
                passed = [s.guardrail.passed for s in draft.stages]
                sets += all(passed)
                stages += sum(passed)
                chars.append(sum(len(s.text) for s in draft.stages))
                counts += [len(sentences(s.text)) for s in draft.stages]
            print(f"{channel or '(none)':8} {sets:>6}/{len(rows):<6} {stages:>7}/{6 * len(rows):<7} "
                  f"{statistics.mean(chars):>10.0f} {statistics.mean(counts):>9.2f} (max {max(counts)})")
    finally:
        await core.aclose()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=Path(__file__).resolve().parent.parent / "evals/drafting/complaints.jsonl")
    return asyncio.run(measure(parser.parse_args().file))


if __name__ == "__main__":
    raise SystemExit(main())
