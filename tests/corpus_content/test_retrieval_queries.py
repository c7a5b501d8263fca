"""The retrieval eval set (evals/retrieval/queries.yaml) is well formed and points at real entries."""

from __future__ import annotations

import re
from collections import Counter

import opencc
import yaml

from agent.vocab import Stage

from ._load import QUERIES_FILE, entries_by_id

QUERIES = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
_T2S = opencc.OpenCC("t2s")


def _is_traditional(text: str) -> bool:
    return _T2S.convert(text) != text


def test_enough_queries_with_unique_ids():
    assert isinstance(QUERIES, list) and len(QUERIES) >= 70
    ids = [q["id"] for q in QUERIES]
    assert all(re.fullmatch(r"q\d{3}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_query_schema_and_expected_ids_exist():
    by_id = entries_by_id()
    for q in QUERIES:
        assert set(q) <= {"id", "query", "expected", "stage", "note"} and {"id", "query", "expected", "stage"} <= set(q)
        assert isinstance(q["query"], str) and 2 <= len(q["query"].strip()) <= 120, q["id"]
        assert isinstance(q["expected"], list) and 1 <= len(q["expected"]) <= 3, q["id"]
        unknown = [e for e in q["expected"] if e not in by_id]
        assert not unknown, f"{q['id']}: unknown expected ids {unknown}"
        assert q["stage"] is None or q["stage"] in {s.value for s in Stage}, q["id"]
        if q["stage"]:  # a stage-filtered query can only find entries of that stage
            assert all(by_id[e]["stage"] == q["stage"] for e in q["expected"]), q["id"]


def test_queries_are_not_titles_and_not_duplicated():
    titles = {e["title"] for e in entries_by_id().values()}
    texts = [_T2S.convert(q["query"]) for q in QUERIES]
    assert not [t for t in texts if t in titles]
    assert not [t for t, n in Counter(texts).items() if n > 1]


def test_mix_of_scripts_lengths_and_targets():
    traditional = [q for q in QUERIES if _is_traditional(q["query"])]
    assert len(traditional) >= 12
    assert any(len(q["query"]) <= 8 for q in QUERIES) and any(len(q["query"]) >= 40 for q in QUERIES)
    by_id = entries_by_id()
    topics = {by_id[e]["topic"] for q in QUERIES for e in q["expected"]}
    stages = {by_id[e]["stage"] for q in QUERIES for e in q["expected"]} - {None}
    assert topics == {e["topic"] for e in by_id.values()}, "every topic should be targeted"
    assert stages == {s.value for s in Stage}, "every stage should be targeted"
