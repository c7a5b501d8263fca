"""Shared helpers for the labelled eval-data checks (no project imports beyond vocab)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "evals" / "guardrails" / "labelled.jsonl"
COMPLAINTS = ROOT / "evals" / "drafting" / "complaints.jsonl"

# Personal data patterns used to cross-check the labels (not the product's PII masker).
MOBILE_CN = re.compile(r"(?<!\d)1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
ID_CN = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PLATE_CN = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]·?[A-Z]·?[A-Z0-9]{5,6}"
)


def read_jsonl(path: Path) -> list[dict]:
    """Parse a JSONL file strictly: every non-empty line must be one JSON object."""
    rows: list[dict] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            assert line.endswith("\n"), f"{path.name}:{number}: missing final newline"
            assert line.strip(), f"{path.name}:{number}: blank line"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - message only
                raise AssertionError(f"{path.name}:{number}: invalid JSON ({exc})") from exc
            assert isinstance(row, dict), f"{path.name}:{number}: not a JSON object"
            rows.append(row)
    return rows


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def traditional_ratio(text: str) -> float:
    """Share of CJK characters that change under Traditional -> Simplified conversion."""
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        # t2s is character-for-character for our texts; fall back to a plain inequality test.
        return 1.0 if converted != text else 0.0
    cjk = [(a, b) for a, b in zip(text, converted, strict=True) if "\u4e00" <= a <= "\u9fff"]
    if not cjk:
        return 0.0
    return sum(a != b for a, b in cjk) / len(cjk)


def assert_script_labels(rows: list[dict]) -> None:
    """Every row's ``script`` label matches its text: Traditional rows read as Traditional, Simplified
    rows contain no Traditional-only characters."""
    for row in rows:
        ratio = traditional_ratio(row["text"])
        if row["script"] == "traditional":
            assert ratio > 0.05, (row["id"], "labelled traditional but reads as simplified")
        else:
            assert ratio == 0.0, (row["id"], "labelled simplified but has traditional characters")
