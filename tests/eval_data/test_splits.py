"""The train / dev / test splits of independently written data: fixed by id hash, stratified, and
never moving a placed row (evals/splitting.py, the two import scripts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from evals.splitting import split_by_hash

ROOT = Path(__file__).resolve().parents[2]


def _rows(n: int, labels: tuple[str, ...]) -> list[dict]:
    return [{"id": f"x-{i:04d}", "label": labels[i % len(labels)]} for i in range(n)]


def test_split_is_stratified_fixed_and_disjoint() -> None:
    rows = _rows(200, ("a", "b"))
    parts = split_by_hash(rows, seed="s", stratum=lambda r: r["label"])
    assert [len(parts[p]) for p in ("train", "dev", "test")] == [100, 40, 60]
    for label in ("a", "b"):
        assert sum(r["label"] == label for r in parts["train"]) == 50
    ids = [r["id"] for p in parts.values() for r in p]
    assert sorted(ids) == sorted(r["id"] for r in rows)
    assert split_by_hash(list(reversed(rows)), seed="s", stratum=lambda r: r["label"]) == parts
    assert split_by_hash(rows, seed="other", stratum=lambda r: r["label"]) != parts


def test_a_placed_letter_keeps_its_split_when_more_writers_are_imported(tmp_path, monkeypatch) -> None:
    """make_letter_split.py splits only new ids: an earlier writer's dev/test letters never move."""
    sys.path.insert(0, str(ROOT / "evals" / "understand"))
    import make_letter_split as mls

    for name, file in (("TRAIN", "fresh.jsonl"), ("HELDOUT", "heldout.jsonl"), ("SPLIT", "split.json")):
        monkeypatch.setattr(mls, name, tmp_path / file)
    monkeypatch.setattr(mls, "HERE", tmp_path)

    def writer(prefix: str, n: int) -> str:
        path = tmp_path / f"{prefix}.jsonl"
        path.write_text("".join(json.dumps({
            "id": f"{prefix}-{i:03d}", "text": f"{prefix}第{i}封信：电梯坏了{i}天。", "category": "facilities",
            "severity": "important", "urgency": "normal", "escalate": False}, ensure_ascii=False) + "\n"
            for i in range(n)), encoding="utf-8")
        return str(path)

    assert mls.main([writer("a", 20)]) == 0
    first = json.loads((tmp_path / "split.json").read_text(encoding="utf-8"))
    assert mls.main([writer("b", 30)]) == 0
    second = json.loads((tmp_path / "split.json").read_text(encoding="utf-8"))
    for part in ("dev", "test"):
        assert set(first[part]) <= set(second[part])
    train_ids = {json.loads(x)["id"] for x in (tmp_path / "fresh.jsonl").read_text(encoding="utf-8").splitlines()}
    assert not train_ids & (set(second["dev"]) | set(second["test"]))
    assert len(train_ids) + len(second["dev"]) + len(second["test"]) == 50
    assert mls.main([writer("a", 20)]) == 0  # importing the same writer again adds nothing
    assert json.loads((tmp_path / "split.json").read_text(encoding="utf-8")) == second


def test_letter_import_rejects_labels_against_the_guide() -> None:
    sys.path.insert(0, str(ROOT / "evals" / "understand"))
    from make_letter_split import problem

    good = {"id": "k-1", "text": "电梯坏了三天。", "category": "facilities", "severity": "important",
            "urgency": "normal", "escalate": False}
    assert problem(good) is None
    assert problem(good | {"severity": "major"}) == "escalate contradicts the guide"
    assert problem(good | {"severity": "general", "escalate": True}) == "escalate contradicts the guide"
    assert problem(good | {"category": "lift"}) == "bad category/severity"
    assert problem(good | {"text": " "}) == "no text"


def test_written_letter_splits_are_disjoint_and_labelled() -> None:
    heldout = ROOT / "evals" / "understand" / "letters_heldout.jsonl"
    split = json.loads((ROOT / "evals" / "understand" / "letters_split.json").read_text(encoding="utf-8"))
    rows = {json.loads(x)["id"]: json.loads(x) for x in heldout.read_text(encoding="utf-8").splitlines() if x.strip()}
    train = {json.loads(x)["id"] for x in (ROOT / "evals" / "understand" / "letters_train_fresh.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()}
    assert set(split["dev"]) | set(split["test"]) == set(rows)
    assert not set(split["dev"]) & set(split["test"]) and not set(rows) & train
