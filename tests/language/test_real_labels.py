"""The committed real-complaint labels and split: ids and labels only, every split id labelled once."""

from __future__ import annotations

import json

from agent.understand.real_eval import DEFAULT_LABELS, DEFAULT_SPLITS, FIELDS


def test_the_split_is_disjoint_and_every_id_is_labelled_once() -> None:
    splits = json.loads(DEFAULT_SPLITS.read_text(encoding="utf-8"))
    dev, test = set(splits["dev"]), set(splits["test"])
    assert len(dev) == len(splits["dev"]) == 280 and len(test) == len(splits["test"]) == 149
    assert not dev & test and splits["unlabelled"] == []
    rows = [json.loads(line) for line in DEFAULT_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) and set(ids) == dev | test


def test_label_rows_hold_labels_only() -> None:
    for line in DEFAULT_LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == {"id", "issues", *FIELDS}
        assert all(isinstance(issue, str) for issue in row["issues"])


def test_pii_spans_are_offsets_only_for_split_ids() -> None:
    from agent.understand.real_eval import DEFAULT_PII

    splits = json.loads(DEFAULT_SPLITS.read_text(encoding="utf-8"))
    known = set(splits["dev"]) | set(splits["test"])
    rows = [json.loads(line) for line in DEFAULT_PII.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == 289 and set(ids) <= known
    for row in rows:
        assert set(row) == {"id", "spans"}
        for span in row["spans"]:
            assert set(span) == {"type", "start", "end"} and 0 <= span["start"] < span["end"]
            assert span["type"] in {"name", "phone", "id", "plate", "bank", "email", "wechat", "qq", "room"}
