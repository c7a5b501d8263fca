"""`wuye check --eval FILE`: run the labelled set through the checker and print the metrics."""

from __future__ import annotations

import json
from pathlib import Path

from agent.errors import InvalidInput
from agent.guard.metrics import EvalReport


def load_labelled(path: Path) -> list[dict]:
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"无法读取评测集 {path}:{exc.strerror}", f"cannot read labelled set {path}: {exc.strerror}") from exc
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            if not isinstance(record, dict) or not {"stage", "text", "expected"} <= record.keys():
                raise ValueError("needs stage, text, expected")
        except (json.JSONDecodeError, ValueError) as exc:
            raise InvalidInput(f"评测集第 {n} 行格式不对:{exc}", f"labelled set line {n} is malformed: {exc}") from exc
        records.append(record)
    return records


def evaluate(checker, records: list[dict], chunk: int = 200) -> EvalReport:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import Progress

    report = EvalReport()
    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("评测中 evaluating", total=len(records))
        for i in range(0, len(records), chunk):
            batch = records[i:i + chunk]
            results = checker.check_many([(r["text"], r["stage"]) for r in batch])
            for record, result in zip(batch, results, strict=True):
                report.add(record, result.categories, [f"{v.rule_id}:{v.excerpt}" for v in result.violations])
            progress.advance(task, len(batch))
    return report


def run_eval(checker, path: Path, *, as_json: bool, show_misses: bool) -> EvalReport:  # type: ignore[no-untyped-def]
    from rich.console import Console

    report = evaluate(checker, load_labelled(path))
    if as_json:
        data = report.to_dict()
        if not show_misses:
            data.pop("mismatches")
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return report
    console = Console()
    console.print(report.markdown(), markup=False, highlight=False)
    if show_misses:
        for m in report.misses:
            console.print(f"{m['id']} [{m['stage']}] expected={m['expected']} got={m['predicted']} {m['text']} "
                          f"{m['excerpts']}", markup=False, highlight=False)
    return report
