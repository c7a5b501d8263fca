"""Accuracy report for the offline classifier on a labelled JSONL set.

    python -m agent.understand.classify_eval --eval evals/drafting/complaints.jsonl [--misses 20] [--json] [--min-accuracy 0.85]

Each line: ``{"id", "text", "expected": {category, severity, urgency, mindset, escalate}}``. The text
is PII-masked first, exactly as in the workflow. Prints accuracy per field, the confusion of the
misses, and the recall of ``major`` cases; exits 1 when a field is below ``--min-accuracy`` or a
major case is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from agent.errors import InvalidInput, WuyeError
from agent.understand.classify import classify_offline
from agent.understand.pii import mask_pii

FIELDS = ("category", "severity", "urgency", "mindset", "escalate")


def load_cases(path: Path) -> list[dict]:
    """Read a JSONL file of labelled complaints; bad lines raise ``InvalidInput`` with the line number."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"无法读取评测文件 {path}:{exc.strerror}", f"cannot read {path}: {exc.strerror}") from exc
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            if not isinstance(case.get("text"), str) or not isinstance(case.get("expected"), dict):
                raise ValueError("needs text and expected")
        except (ValueError, AttributeError) as exc:
            raise InvalidInput(f"{path} 第 {number} 行格式错误:{exc}", f"{path} line {number}: {exc}") from exc
        cases.append(case)
    if not cases:
        raise InvalidInput(f"{path} 里没有评测样本。", f"{path} has no cases.")
    return cases


def evaluate(cases: list[dict]) -> dict:
    """Per-field accuracy, miss list and major recall (a plain dict, JSON-ready)."""
    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    misses: list[dict] = []
    majors = caught = 0
    for case in cases:
        got = classify_offline(mask_pii(case["text"]).text).model_dump(mode="json")
        expected = case["expected"]
        for field in FIELDS:
            if field not in expected:
                continue
            total[field] += 1
            if got[field] == expected[field]:
                correct[field] += 1
            else:
                confusion[field][f"{expected[field]} → {got[field]}"] += 1
                misses.append({"id": case.get("id"), "field": field, "expected": expected[field],
                               "got": got[field], "text": case["text"]})
        if expected.get("severity") == "major":
            majors += 1
            caught += got["severity"] == "major"
    return {
        "cases": len(cases),
        "accuracy": {f: round(correct[f] / total[f], 4) for f in FIELDS if total[f]},
        "major_recall": round(caught / majors, 4) if majors else None,
        "majors": majors,
        "majors_caught": caught,
        "confusion": {f: dict(c.most_common()) for f, c in confusion.items() if c},
        "misses": misses,
    }


def _print(report: dict, show_misses: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"offline classifier · {report['cases']} complaints")
    table.add_column("field")
    table.add_column("accuracy", justify="right")
    table.add_column("misses (expected → got)")
    for field, accuracy in report["accuracy"].items():
        confusion = ", ".join(f"{k} ×{v}" for k, v in report["confusion"].get(field, {}).items())
        table.add_row(field, f"{accuracy:.3f}", confusion or "-")
    recall = report["major_recall"]
    table.add_row("major recall", "n/a" if recall is None else f"{recall:.3f}",
                  f"{report['majors_caught']}/{report['majors']} major cases caught")
    console.print(table)
    for miss in report["misses"][:show_misses]:
        console.print(f"[dim]{miss['id']}[/dim] {miss['field']}: {miss['expected']} → {miss['got']}  "
                      f"{miss['text'][:60]}", markup=True, highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.understand.classify_eval", description="离线分类器评测 / offline classifier eval")
    parser.add_argument("--eval", dest="path", required=True, type=Path, help="labelled JSONL file")
    parser.add_argument("--misses", type=int, default=20, help="how many misses to list")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--min-accuracy", type=float, default=0.85, help="exit 1 below this per-field accuracy")
    args = parser.parse_args(argv)
    try:
        report = evaluate(load_cases(args.path))
    except WuyeError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(report, args.misses)
    low = [f for f, a in report["accuracy"].items() if a < args.min_accuracy]
    missed_major = report["majors"] and report["majors_caught"] < report["majors"]
    return 1 if low or missed_major else 0


if __name__ == "__main__":  # pragma: no cover - tested through main()
    raise SystemExit(main())
