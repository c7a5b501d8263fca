"""Measure the understanding step on labelled real complaints (text outside the repo, labels inside).

    wuye understand eval --complaints ../shared/realdata/complaints_dev.jsonl --split dev
        [--labels evals/real/labels.jsonl] [--pii evals/real/pii.jsonl] [--splits evals/real/split.json] [--json]

The complaint text is read from ``--complaints`` (never stored here); labels, PII offsets and the
split are ids and labels only. Prints totals only — per-field accuracy, majors caught / predicted vs
true, PII caught per type and false masks per 100 complaints — never a complaint's text, so the
test split can be reported without being looked at.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from agent.errors import InvalidInput

FIELDS = ("category", "severity", "urgency", "escalate", "mindset", "language")
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LABELS = ROOT / "evals" / "real" / "labels.jsonl"
DEFAULT_PII = ROOT / "evals" / "real" / "pii.jsonl"
DEFAULT_SPLITS = ROOT / "evals" / "real" / "split.json"
# invented complaints with their personal data marked by value, written by an independent writer who
# never saw our masking rules (2026-12-07); each row carries its split (dev | test, fixed by id hash)
DEFAULT_WRITTEN_PII = ROOT / "evals" / "understand" / "pii_written.jsonl"


def _jsonl(path: Path, what: str) -> list[dict]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"无法读取{what}文件 {path}:{exc.strerror}", f"cannot read the {what} file {path}: "
                           f"{exc.strerror}") from exc
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                raise ValueError("each line needs an id")
        except ValueError as exc:
            raise InvalidInput(f"{path} 第 {number} 行格式错误:{exc}", f"{path} line {number}: {exc}") from exc
        rows.append(row)
    return rows


def load_texts(path: Path) -> dict[str, str]:
    """id -> text of the complaints file (``{"id", "text"}`` per line)."""
    texts = {row["id"]: row["text"] for row in _jsonl(path, "投诉") if isinstance(row.get("text"), str)}
    if not texts:
        raise InvalidInput(f"{path} 里没有投诉。", f"{path} has no complaints.")
    return texts


def split_ids(path: Path, split: str) -> set[str]:
    """The ids of one split of the committed split file."""
    try:
        splits = json.loads(Path(path).read_text(encoding="utf-8"))
        return set(splits[split])
    except OSError as exc:
        raise InvalidInput(f"无法读取划分文件 {path}", f"cannot read the split file {path}") from exc
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"划分文件 {path} 里没有 {split}", f"split file {path} has no split {split!r}") from exc


def classification_report(texts: dict[str, str], labels: list[dict], ids: set[str]) -> dict:
    """Accuracy per field, majors caught / predicted / true, on the labelled ids of ``ids``."""
    from agent.understand.classify import classify_offline
    from agent.understand.pii import mask_pii

    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    majors = predicted_majors = caught = 0
    cases = 0
    for label in labels:
        if label["id"] not in ids or label["id"] not in texts:
            continue
        cases += 1
        got = classify_offline(mask_pii(texts[label["id"]]).text).model_dump(mode="json")
        for field in FIELDS:
            if field in label and field in got:
                total[field] += 1
                if got[field] == label[field]:
                    correct[field] += 1
                else:
                    confusion[field][f"{label[field]}→{got[field]}"] += 1
        truly = label.get("severity") == "major"
        said = got["severity"] == "major"
        majors += truly
        predicted_majors += said
        caught += truly and said
    return {
        "cases": cases,
        "accuracy": {f: round(correct[f] / total[f], 3) for f in FIELDS if total[f]},
        "majors_true": majors, "majors_predicted": predicted_majors, "majors_caught": caught,
        "confusion": {f: dict(c.most_common(6)) for f, c in confusion.items() if c},
    }


def written_pii(path: Path, split: str) -> tuple[dict[str, str], list[dict], set[str]]:
    """``pii_report``'s inputs from a written set: each marked value is a gold span at every place
    it occurs in its text."""
    texts: dict[str, str] = {}
    gold: list[dict] = []
    for row in _jsonl(path, "个人信息书面集"):
        if row.get("split") != split or not isinstance(row.get("text"), str):
            continue
        text = texts[row["id"]] = row["text"]
        spans = []
        marked = dict.fromkeys((item.get("type", "?"), item.get("value") or "") for item in row.get("pii") or [])
        for kind, value in marked:  # a value listed twice is still one gold span per place
            start = 0
            while value and (start := text.find(value, start)) >= 0:
                spans.append({"type": kind, "start": start, "end": start + len(value)})
                start += len(value)
        gold.append({"id": row["id"], "spans": spans})
    if not texts:
        raise InvalidInput(f"{path} 里没有 {split} 划分的投诉。", f"{path} has no {split!r} complaints.")
    return texts, gold, set(texts)


def pii_report(texts: dict[str, str], gold: list[dict], ids: set[str]) -> dict:
    """Gold spans fully masked, per type; masks that touch no gold span, per 100 complaints."""
    from agent.understand.pii import find_pii

    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_masks = complaints = 0
    for row in gold:
        if row["id"] not in ids or row["id"] not in texts:
            continue
        complaints += 1
        spans = find_pii(texts[row["id"]])
        covered = set()
        for start, end, _kind, _value in spans:
            covered.update(range(start, end))
        for span in row.get("spans", []):
            total[span["type"]] += 1
            caught[span["type"]] += all(k in covered for k in range(span["start"], span["end"]))
        gold_chars = {k for span in row.get("spans", []) for k in range(span["start"], span["end"])}
        false_masks += sum(1 for start, end, _k, _v in spans if not gold_chars & set(range(start, end)))
    return {
        "complaints": complaints,
        "caught": {t: f"{caught[t]}/{total[t]}" for t in sorted(total)},
        "recall": {t: round(caught[t] / total[t], 3) for t in sorted(total)},
        "false_masks_per_100": round(100 * false_masks / complaints, 1) if complaints else None,
    }
