"""The complaint set (evals/drafting/complaints.jsonl) keeps its shape, coverage and internal logic.

The classification and offline-drafting evals score against these labels, so the labels are
checked for consistency with the severity / escalation rules written in docs/eval-data.md.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from agent.vocab import Category, Mindset, Script, Severity, Urgency

from ._common import COMPLAINTS, EMAIL, ID_CN, MOBILE_CN, PLATE_CN, assert_script_labels, read_jsonl

KEYS = {"id", "text", "script", "expected", "pii", "note"}
EXPECTED_KEYS = {"category", "severity", "urgency", "mindset", "escalate"}
INJECTION_MARKERS = ("忽略", "扮演", "系统提示", "系統提示", "[SYSTEM]", "忘掉", "提示词")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_jsonl(COMPLAINTS)


def test_every_row_has_the_schema(rows):
    for row in rows:
        assert set(row) == KEYS, (row.get("id"), sorted(set(row) ^ KEYS))
        assert re.fullmatch(r"c\d{3}", row["id"]), row["id"]
        assert row["script"] in set(Script), row["id"]
        assert isinstance(row["text"], str) and row["text"] == row["text"].strip() and row["text"]
        assert isinstance(row["note"], str) and row["note"].strip(), row["id"]
        exp = row["expected"]
        assert set(exp) == EXPECTED_KEYS, (row["id"], sorted(set(exp) ^ EXPECTED_KEYS))
        assert exp["category"] in set(Category), row["id"]
        assert exp["severity"] in set(Severity), row["id"]
        assert exp["urgency"] in set(Urgency), row["id"]
        assert exp["mindset"] in set(Mindset), row["id"]
        assert isinstance(exp["escalate"], bool), row["id"]
        assert isinstance(row["pii"], list) and all(isinstance(p, str) and p for p in row["pii"])


def test_ids_and_texts_are_unique(rows):
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)


def test_size_and_vocabulary_coverage(rows):
    assert len(rows) >= 60
    count = Counter(r["expected"]["category"] for r in rows)
    assert all(count[c] >= 5 for c in Category), count
    severity = Counter(r["expected"]["severity"] for r in rows)
    assert all(severity[s] >= 1 for s in Severity) and severity[Severity.major] >= 10, severity
    urgency = Counter(r["expected"]["urgency"] for r in rows)
    assert all(urgency[u] >= 5 for u in Urgency), urgency
    mindset = Counter(r["expected"]["mindset"] for r in rows)
    assert all(mindset[m] >= 5 for m in Mindset), mindset
    escalate = Counter(r["expected"]["escalate"] for r in rows)
    assert escalate[True] >= 10 and escalate[False] >= 10, escalate


def test_traditional_rows_and_script_labels(rows):
    assert sum(r["script"] == Script.traditional for r in rows) >= 15
    assert_script_labels(rows)


def test_pii_is_listed_and_present(rows):
    with_pii = [r for r in rows if r["pii"]]
    assert len(with_pii) >= 15
    for row in with_pii:
        for item in row["pii"]:
            assert item in row["text"], (row["id"], item)
    kinds = Counter()
    for row in with_pii:
        for item in row["pii"]:
            if MOBILE_CN.fullmatch(item) or re.fullmatch(r"0\d{2,3}-?\d{3}-?\d{3,4}|\d{4} \d{4}", item):
                kinds["phone"] += 1
            elif ID_CN.fullmatch(item):
                kinds["id"] += 1
            elif EMAIL.fullmatch(item):
                kinds["email"] += 1
            elif PLATE_CN.fullmatch(item) or re.fullmatch(r"[A-Z]{3}-\d{4}", item):
                kinds["plate"] += 1
            elif re.search(r"\d", item):
                kinds["room"] += 1
            else:
                kinds["name"] += 1
    assert all(kinds[k] >= 1 for k in ("phone", "id", "email", "plate", "room", "name")), kinds


def test_no_unlisted_personal_numbers(rows):
    """Every phone, ID number, email and mainland plate in a text is in that row's pii list."""
    for row in rows:
        for pattern in (MOBILE_CN, ID_CN, EMAIL, PLATE_CN):
            for match in pattern.finditer(row["text"]):
                assert any(match.group(0) in item or item in match.group(0) for item in row["pii"]), (
                    row["id"],
                    match.group(0),
                )


def test_prompt_injection_rows(rows):
    injected = [r for r in rows if "prompt-injection" in r["note"]]
    assert len(injected) >= 5
    for row in injected:
        assert any(m in row["text"] for m in INJECTION_MARKERS), row["id"]
    # the injection never changes the label logic: each still carries a real complaint
    assert len({r["expected"]["category"] for r in injected}) >= 4


def test_label_rules_are_consistent(rows):
    for row in rows:
        exp = row["expected"]
        if exp["severity"] == Severity.major:
            assert exp["escalate"], (row["id"], "major must escalate")
        if exp["urgency"] == Urgency.urgent:
            assert exp["severity"] != Severity.general, (row["id"], "urgent implies danger or damage")
        if exp["escalate"]:
            assert (
                exp["severity"] == Severity.major
                or exp["mindset"] == Mindset.compensation
                or (exp["severity"] == Severity.important and exp["mindset"] == Mindset.respect)
            ), (row["id"], "escalation needs a reason")
        if exp["severity"] == Severity.important and exp["mindset"] == Mindset.respect:
            assert exp["escalate"], (row["id"], "formal complaint about staff goes to a supervisor")


def test_lengths_vary(rows):
    lengths = sorted(len(r["text"]) for r in rows)
    assert lengths[0] <= 15, lengths[:3]
    assert lengths[-1] >= 120, lengths[-3:]
