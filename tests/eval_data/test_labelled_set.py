"""The labelled guardrail set (evals/guardrails/labelled.jsonl) keeps its shape and coverage.

These counts are the floor the guardrail evals rely on; a change that shrinks the set or
breaks a label vocabulary fails here, not silently in an eval report.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from agent.vocab import COMPLAINT_CHECKS, Script, Stage, ViolationCategory

from ._common import EMAIL, ID_CN, LABELLED, MOBILE_CN, assert_script_labels, read_jsonl

KEYS = {"id", "stage", "text", "expected", "script", "note"}
MIN_TOTAL = 380
MIN_PER_CATEGORY = 25
MIN_CLEAN = 130
MIN_NEAR_MISS = 50
MIN_TRADITIONAL_SHARE = 0.20


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_jsonl(LABELLED)


def violating(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["expected"]]


def clean(rows: list[dict]) -> list[dict]:
    return [r for r in rows if not r["expected"]]


def test_every_row_has_the_schema(rows):
    for row in rows:
        assert set(row) == KEYS, (row.get("id"), sorted(set(row) ^ KEYS))
        assert re.fullmatch(r"g\d{4}", row["id"]), row["id"]
        assert row["stage"] in set(Stage), (row["id"], row["stage"])
        assert row["script"] in set(Script), (row["id"], row["script"])
        assert isinstance(row["text"], str) and row["text"].strip() == row["text"] and row["text"]
        assert isinstance(row["note"], str) and row["note"].strip(), row["id"]
        assert isinstance(row["expected"], list), row["id"]
        assert all(c in set(ViolationCategory) for c in row["expected"]), (row["id"], row["expected"])
        assert len(set(row["expected"])) == len(row["expected"]) <= 2, (row["id"], row["expected"])


def test_ids_and_texts_are_unique(rows):
    ids = Counter(r["id"] for r in rows)
    assert not [i for i, n in ids.items() if n > 1]
    texts = Counter(r["text"] for r in rows)
    assert not [t for t, n in texts.items() if n > 1]


def test_total_size(rows):
    assert len(rows) >= MIN_TOTAL


@pytest.mark.parametrize("category", sorted(set(ViolationCategory) - COMPLAINT_CHECKS))
def test_each_category_has_enough_violations(rows, category):
    count = sum(category in r["expected"] for r in rows)
    assert count >= MIN_PER_CATEGORY, f"{category}: {count} < {MIN_PER_CATEGORY}"


def test_mostly_single_label_with_some_double(rows):
    bad = violating(rows)
    doubles = [r for r in bad if len(r["expected"]) == 2]
    share = len(doubles) / len(bad)
    assert 0.05 <= share <= 0.20, f"two-category share {share:.1%}"
    # every category also appears on its own, so single-rule recall can be measured
    singles = Counter(r["expected"][0] for r in bad if len(r["expected"]) == 1)
    assert all(singles[c] >= 15 for c in set(ViolationCategory) - COMPLAINT_CHECKS), singles


def test_clean_and_near_miss_counts(rows):
    ok = clean(rows)
    assert len(ok) >= MIN_CLEAN
    near = [r for r in ok if r["note"].startswith("near-miss:")]
    assert len(near) >= MIN_NEAR_MISS
    # the near-miss marker is only for clean rows
    assert not [r["id"] for r in violating(rows) if r["note"].startswith("near-miss")]


def test_all_stages_covered_by_clean_and_violating_rows(rows):
    for subset in (clean(rows), violating(rows)):
        per_stage = Counter(r["stage"] for r in subset)
        assert all(per_stage[s] >= 15 for s in Stage), per_stage


def test_traditional_share_and_script_labels(rows):
    traditional = [r for r in rows if r["script"] == Script.traditional]
    assert len(traditional) / len(rows) >= MIN_TRADITIONAL_SHARE
    # both scripts appear among violations and clean replies
    assert {r["script"] for r in violating(rows)} == {r["script"] for r in clean(rows)} == set(Script)
    assert_script_labels(rows)


def test_lengths_vary(rows):
    lengths = sorted(len(r["text"]) for r in rows)
    assert lengths[0] <= 12 and lengths[-1] >= 60
    assert sum(n <= 20 for n in lengths) >= 40 and sum(n >= 45 for n in lengths) >= 55


def test_clean_rows_carry_no_personal_numbers(rows):
    """Near-misses may show hotlines and ticket numbers, never a mobile, ID number or email."""
    for row in clean(rows):
        for pattern in (MOBILE_CN, ID_CN, EMAIL):
            assert not pattern.search(row["text"]), (row["id"], row["text"])


def test_personal_numbers_are_labelled_pii_leak(rows):
    for row in rows:
        if any(p.search(row["text"]) for p in (MOBILE_CN, ID_CN, EMAIL)):
            assert "pii_leak" in row["expected"], row["id"]


def test_empty_thanks_rows_actually_thank(rows):
    thank_words = ("谢", "謝", "感")
    for row in rows:
        if "empty_thanks" in row["expected"]:
            assert any(w in row["text"] for w in thank_words), row["id"]
