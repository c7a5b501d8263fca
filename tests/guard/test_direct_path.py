"""``wuye check`` runs the category checks without guardrails-ai's Guard (agent/guard/categories.py):
it must find exactly what the Guard's validators find, span for span."""

from __future__ import annotations

import json
from pathlib import Path

from agent.guard import GuardChecker
from agent.settings import Settings

PHRASINGS = Path(__file__).parent / "data" / "phrasings.jsonl"


def test_direct_path_finds_what_the_guard_finds(tmp_path):
    settings = Settings(data_dir=tmp_path)
    via_guard = GuardChecker.from_settings(settings)
    direct = GuardChecker.from_settings(settings, via_guardrails=False)
    rows = [json.loads(line) for line in PHRASINGS.read_text(encoding="utf-8").splitlines() if line.strip()][::7]
    texts = {r["stage"]: r["text"] for r in rows[:6]}
    flagged = 0
    for row in rows:
        a = via_guard.check(row["text"], row["stage"]).model_dump()
        b = direct.check(row["text"], row["stage"]).model_dump()
        assert a == b, row["id"]
        flagged += bool(a["violations"])
    assert flagged > 10  # the comparison covers texts that fail, not only clean ones
    assert via_guard.check_set(texts) == direct.check_set(texts)
    assert direct._guard is None  # the Guard was never built on the direct path
