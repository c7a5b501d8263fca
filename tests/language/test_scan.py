"""Speed-ups of the understanding layer give exactly what the plain regex passes give (our own texts)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from agent.understand import classify, pii, scan, severity_model

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> list[str]:
    path = ROOT / "evals" / "understand" / "category_train.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _letters(count: int = 60) -> list[str]:
    """Long letters glued from our own complaints, with rooms, numbers and English words mixed in."""
    rng = random.Random(7)
    texts = _texts()
    extra = ["3栋1单元1203", "五栋1603", "12-3-501", "二楼201", "13812345678", "(0731)8888888", "the lift is broken",
             "fee(s) charged", "ſmell", "3dog", "泡塌了", "煤气泄漏", "物业私自收", "记者来了", "三十多户", "两个月", "，", "。"]
    return ["".join(rng.choice(texts + extra) for _ in range(rng.randint(3, 40))) for _ in range(count)]


def test_finditer_at_is_finditer_for_every_room_and_number_pattern() -> None:
    for text in _letters():
        for _kind, _priority, pattern, _group, first, _needs in pii._SCANS:
            if first is not None:
                got = [m.span() for m in scan.finditer_at(pattern, text, scan.starts(first, text))]
                assert got == [m.span() for m in pattern.finditer(text)], pattern.pattern


def test_category_hits_and_prefix_scores_are_the_plain_passes() -> None:
    categories = classify.load_rules().categories
    for text in _letters():
        hits = classify._hits(text, categories)
        assert hits == {cat: [(w, [m.span() for m in p.finditer(text)]) for p, w in terms]
                        for cat, terms in categories.items()}
        for limit in (len(text) // 3, len(text) // 2, 1500):
            assert classify._prefix_scores(text, categories, hits, limit) == classify._scores(text[:limit], categories)


@pytest.mark.parametrize(("pattern", "english"), [
    (r"\b(lift|water supply|fee(s)?)\b", True), (r"\b((a)|b)\b", False), (r"\b(a)|(b)\b", False), (r"电梯|\b(a)\b", False),
])
def test_english_terms(pattern: str, english: bool) -> None:
    assert classify._english(pattern) is english


def test_number_starts_cover_households_and_durations() -> None:
    for text in _letters():
        numbers = scan.starts(severity_model._NUM_FIRST, text)
        for pattern in (severity_model._HOUSEHOLDS, severity_model._DURATION):
            assert [m.span() for m in scan.finditer_at(pattern, text, numbers)] == \
                [m.span() for m in pattern.finditer(text)]
