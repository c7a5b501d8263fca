"""Our own second set of replies (tests/guard/data/phrasings.jsonl, written independently of
evals/guardrails/labelled.jsonl): violations in fresh wording must be caught with their category,
clean near-misses (hand-offs with owners, bounded offers, hotlines, closings …) must pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROWS = [json.loads(line) for line in (Path(__file__).parent / "data" / "phrasings.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
VIOLATING = [r for r in ROWS if r["expected"]]
CLEAN = [r for r in ROWS if not r["expected"]]


def test_the_set_is_balanced():
    cats = {c for r in VIOLATING for c in r["expected"]}
    assert len(cats) == 11 and len(CLEAN) >= 150 and len(VIOLATING) >= 200


@pytest.mark.parametrize("row", VIOLATING, ids=[r["id"] for r in VIOLATING])
def test_violations_are_caught(checker, row):
    result = checker.check(row["text"], row["stage"])
    assert set(row["expected"]) <= result.categories, [v.model_dump() for v in result.violations]


@pytest.mark.parametrize("row", CLEAN, ids=[r["id"] for r in CLEAN])
def test_near_misses_pass(checker, row):
    result = checker.check(row["text"], row["stage"])
    assert result.violations == [], [v.model_dump() for v in result.violations]
