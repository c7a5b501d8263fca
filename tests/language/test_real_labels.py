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


def test_written_pii_marks_every_occurrence_of_a_value_and_keeps_splits_apart(tmp_path) -> None:
    from agent.understand.real_eval import pii_report, written_pii

    path = tmp_path / "written.jsonl"
    rows = [{"id": "a", "split": "dev", "text": "我是周立新，周立新的电话13912345678。",
             "pii": [{"type": "name", "value": "周立新"}, {"type": "phone", "value": "13912345678"}]},
            {"id": "b", "split": "test", "text": "隔壁吵。", "pii": []}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    texts, gold, ids = written_pii(path, "dev")
    assert ids == {"a"} and [s["start"] for s in gold[0]["spans"]] == [2, 6, 12]
    report = pii_report(texts, gold, ids)
    assert report["caught"]["phone"] == "1/1" and report["complaints"] == 1


def test_the_written_pii_set_is_split_and_each_value_occurs_in_its_text() -> None:
    from agent.understand.real_eval import DEFAULT_WRITTEN_PII

    rows = [json.loads(line) for line in DEFAULT_WRITTEN_PII.read_text(encoding="utf-8").splitlines()]
    assert {r["split"] for r in rows} == {"dev", "test"} and len({r["id"] for r in rows}) == len(rows)
    assert all(p["value"] in r["text"] for r in rows for p in r["pii"])
