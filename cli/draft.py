"""`wuye draft` — draft six-stage replies for one complaint, or for a JSONL file of complaints.

    wuye draft "楼上漏水三天了没人管"            human-readable view
    wuye draft "…" --json                        the DraftSet JSON
    wuye draft --jsonl FILE                      one JSON line per input line {"id", "text"}
    wuye draft --jsonl FILE --report             accuracy / guard / PII report over labelled lines
    wuye draft --jsonl FILE --report grounding,repetition,fit --labels L.jsonl --split-file S.json --split dev
                                                 + draft quality (agent/drafting/report.py)
    wuye draft --jsonl FILE --sample 30 --seed 7 --json   a reproducible sample, one JSON line per draft set
    wuye draft --jsonl FILE --sample 30 --seed 13 --review R.jsonl
                                                 blind-read input: per draft set only the masked complaint
                                                 and the six stage texts (no classification, citations,
                                                 drafter or model name)

Exit codes: 0 ok · 1 report thresholds not met · 2 bad input or settings (a bad JSONL line is
reported on its own line and the others are still processed). The playbook index is built on first
use (with a progress bar). Drafts are stored like the API's (``WUYE_DATA_DIR``, masked).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.errors import InvalidInput, WuyeError

FIELDS = ("category", "severity", "urgency", "mindset", "escalate")
MIN_ACCURACY = 0.85


def draft(
    complaint: Annotated[str | None, typer.Argument(help="业主投诉原文 / the owner's complaint")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print the DraftSet JSON")] = False,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help='JSONL 文件,每行 {"id","text"} / batch input')] = None,
    report: Annotated[bool, typer.Option("--report", help="对带 expected 标注的 JSONL 输出评测报告")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="把 JSONL 结果写入文件")] = None,
    project: Annotated[str, typer.Option("--project", help="物业项目名称 / project name stored with the draft")] = "cli",
    labels: Annotated[Path | None, typer.Option("--labels", help="标注 JSONL(id, category, severity),用于 fit 报告")] = None,
    split_file: Annotated[Path | None, typer.Option("--split-file", help="划分文件 JSON {split: [ids]}")] = None,
    split: Annotated[str | None, typer.Option("--split", help="只用这个划分的 id(dev / test)")] = None,
    sample: Annotated[int | None, typer.Option("--sample", help="随机抽取 N 条 / draft a random sample of N lines")] = None,
    seed: Annotated[int, typer.Option("--seed", help="抽样随机种子 / sample seed")] = 0,
    review: Annotated[Path | None, typer.Option(
        "--review", help="盲评输入 JSONL:脱敏投诉 + 六段草稿 / blind-read input (masked complaint + six stages)")] = None,
) -> None:
    """起草六字诀回复草稿 / Draft one suggested reply per 六字诀 stage."""
    reports: list[str] = []
    try:
        from agent.drafting.report import REPORTS, parse_reports

        # `--report grounding,repetition,fit`: --report is a flag, so the spec arrives as the argument
        if report and jsonl is not None and complaint is not None and all(
                p.strip() in REPORTS for p in complaint.split(",") if p.strip()):
            reports, complaint = parse_reports(complaint), None
        from agent.settings import get_settings
        from agent.workflow.intake import check_complaint

        settings = get_settings()  # bad WUYE_* settings: a bilingual message, exit 2, nothing heavy imported yet
        if (complaint is None) == (jsonl is None):
            raise InvalidInput("请给出一条投诉文本,或用 --jsonl 指定文件(二选一)。",
                               "give either one complaint or --jsonl FILE.")
        if report and jsonl is None:
            raise InvalidInput("--report 需要配合 --jsonl 使用。", "--report needs --jsonl.")
        if review is not None and jsonl is None:
            raise InvalidInput("--review 需要配合 --jsonl 使用。", "--review needs --jsonl.")
        if complaint is not None:
            check_complaint(complaint, settings)  # empty or too long: refused before anything heavy loads
        lines = _read_lines(jsonl) if jsonl is not None else []
        lines = _select(lines, split_file, split, sample, seed)
        label_map = _read_labels(labels) if labels is not None else {}
        if "fit" in reports and not label_map:
            raise InvalidInput("fit 报告需要 --labels 标注文件。", "the fit report needs --labels FILE.")
        code = asyncio.run(_run(settings, complaint, lines, as_json=as_json, report=report, output=output,
                                project=project, reports=reports, labels=label_map, review=review))
    except WuyeError as exc:
        print(exc.message, file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    raise typer.Exit(code)


def _select(lines: list[str], split_file: Path | None, split: str | None, sample: int | None,
            seed: int) -> list[str]:
    """The lines of one split (ids from ``--split-file``) and/or a reproducible random sample."""
    import random

    if (split_file is None) != (split is None):
        raise InvalidInput("--split-file 和 --split 需要一起使用。", "--split-file and --split go together.")
    if split_file is not None:
        try:
            ids = set(json.loads(split_file.read_text(encoding="utf-8"))[split])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"无法读取划分 {split}:{split_file}", f"cannot read split {split!r} from {split_file}: {exc}") from None
        lines = [line for line in lines if line.strip() and _line_id(line) in ids]
    if sample is not None:
        if sample < 1:
            raise InvalidInput("--sample 必须是正整数。", "--sample must be a positive integer.")
        lines = [line for line in lines if line.strip()]
        lines = random.Random(seed).sample(lines, min(sample, len(lines)))
    return lines


def _line_id(line: str) -> str | None:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return None
    return str(item.get("id")) if isinstance(item, dict) and "id" in item else None


def _read_labels(path: Path) -> dict[str, dict[str, Any]]:
    labels: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(_read_lines(path), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            labels[str(item["id"])] = item
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InvalidInput(f"标注文件第 {number} 行无效。", f"labels line {number} is invalid.") from None
    return labels


async def _run(settings: Any, complaint: str | None, lines: list[str], *, as_json: bool, report: bool,
               output: Path | None, project: str, reports: list[str] | None = None,
               labels: dict[str, dict[str, Any]] | None = None, review: Path | None = None) -> int:
    from agent.guard import GuardChecker
    from agent.retrieval.search import open_or_build
    from agent.workflow.core import DraftCore

    # a one-shot process: the same category checks without guardrails-ai's import (tests/guard/test_direct_path.py)
    checker = GuardChecker.from_settings(settings, via_guardrails=False)
    core = await DraftCore.open(settings, retriever=open_or_build(settings), checker=checker)
    try:
        if complaint is None:
            return await _batch(core, lines, report, output, project, reports or [], labels or {}, review)
        draft_set = await _create(core, complaint, project)
        if as_json:
            print(json.dumps(draft_set.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            _show(draft_set)
        return 0
    finally:
        await core.aclose()


async def _create(core: Any, text: str, project: str) -> Any:
    from pydantic import ValidationError

    from agent.workflow.models import Actor, DraftInput

    try:
        raw = DraftInput(complaint=text, project=project)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise InvalidInput(f"输入不符合要求:{problem}", f"invalid input: {problem}") from None
    return (await core.create(raw, Actor(id="cli"))).draft


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"无法读取文件 {path}:{exc}", f"cannot read {path}: {exc}") from exc


def _parse_line(line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"第 {number} 行不是合法 JSON。", f"line {number} is not valid JSON ({exc.msg}).") from exc
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise InvalidInput(f'第 {number} 行缺少 "text" 字段。', f'line {number} needs a "text" string.')
    if "id" in item and not isinstance(item["id"], (str, int)):
        raise InvalidInput(f'第 {number} 行的 "id" 必须是字符串。', f'line {number}: "id" must be a string.')
    return item


async def _batch(core: Any, raw_lines: list[str], report: bool, output: Path | None, project: str,
                 reports: list[str], labels: dict[str, dict[str, Any]], review: Path | None = None) -> int:
    from rich.progress import Progress

    lines = [(n, line) for n, line in enumerate(raw_lines, 1) if line.strip()]
    sink = output.open("w", encoding="utf-8") if output else (None if report else sys.stdout)
    failures = 0
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    try:
        with Progress(transient=True, console=_stderr_console()) as progress:
            task = progress.add_task("起草中 drafting", total=len(lines))
            for number, line in lines:
                item_id: Any = f"line-{number}"
                try:
                    item = _parse_line(line, number)
                    item_id = str(item.get("id", item_id))
                    result = (await _create(core, item["text"], project)).model_dump(mode="json")
                    result = {"id": item_id, "draft_id": result["id"], **{k: v for k, v in result.items() if k != "id"}}
                    rows.append((item, result))
                except WuyeError as exc:
                    failures += 1
                    result = {"id": item_id, "line": number, "error": exc.to_dict()}
                if sink is not None:
                    sink.write(json.dumps(result, ensure_ascii=False) + "\n")
                    sink.flush()
                progress.advance(task)
    finally:
        if output and sink is not None:
            sink.close()
    code = 2 if failures else 0
    if review is not None:
        _write_review(review, rows)
    if report:
        summary = evaluate(rows)
        _print_report(summary, failures)
        if not summary["ok"]:
            code = max(code, 1)
        if reports and not _quality_report(rows, reports, labels):
            code = max(code, 1)
    return code


def _write_review(path: Path, rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """The blind-read input: per draft set its id, the masked complaint and the six stage texts —
    nothing that tells the reviewer how the draft was made (no classification, citations, drafter)."""
    try:
        with path.open("w", encoding="utf-8") as sink:
            for _item, result in rows:
                sink.write(json.dumps({"id": result["id"], "complaint": result["complaint_masked"],
                                       "stages": [{"stage": s["stage"], "text": s["text"]} for s in result["stages"]]},
                                      ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InvalidInput(f"无法写入盲评文件 {path}:{exc}", f"cannot write the review file {path}: {exc}") from None
    print(f"盲评输入已写入 {path}({len(rows)} 条)/ blind-read input written: {path} ({len(rows)} sets)", file=sys.stderr)


def _quality_report(pairs: list[tuple[dict[str, Any], dict[str, Any]]], reports: list[str],
                    labels: dict[str, dict[str, Any]]) -> bool:
    """grounding / repetition / fit (agent/drafting/report.py), printed as JSON lines on stdout."""
    from agent.drafting import report as R

    rows = R.rows_from_results(pairs)
    ok = True
    for name in reports:
        result = R.grounding(rows) if name == "grounding" else R.repetition(rows) if name == "repetition" \
            else R.fit(rows, labels)
        ok = ok and result["ok"]
        print(json.dumps({"report": name, **result}, ensure_ascii=False))
    return ok


def evaluate(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Classification accuracy per field, major recall, guard pass rate per stage, PII echoes."""
    from agent.understand.pii import mask_pii

    correct = {f: 0 for f in FIELDS}
    total = {f: 0 for f in FIELDS}
    stage_pass: dict[str, list[int]] = {}
    majors = caught = pii_echo = 0
    drafters: dict[str, int] = {}
    for item, result in rows:
        expected = item.get("expected") or {}
        got = result["classification"]
        for field in FIELDS:
            if field in expected:
                total[field] += 1
                correct[field] += got[field] == expected[field]
        if expected.get("severity") == "major":
            majors += 1
            caught += got["severity"] == "major"
        labelled = [v for v in item.get("pii") or [] if isinstance(v, str)]
        raw_values = {v for v in [*mask_pii(item["text"]).mapping.values(), *labelled] if len(v) >= 2}
        for stage in result["stages"]:
            stage_pass.setdefault(stage["stage"], [0, 0])
            stage_pass[stage["stage"]][0] += bool(stage["guardrail"]["passed"])
            stage_pass[stage["stage"]][1] += 1
            pii_echo += sum(value in stage["text"] for value in raw_values) + ("〔" in stage["text"])
        drafters[result["drafter"]] = drafters.get(result["drafter"], 0) + 1
    accuracy = {f: round(correct[f] / total[f], 4) for f in FIELDS if total[f]}
    guard = {s: round(p / n, 4) for s, (p, n) in stage_pass.items()}
    recall = round(caught / majors, 4) if majors else None
    ok = (all(a >= MIN_ACCURACY for a in accuracy.values()) and caught == majors
          and all(rate == 1.0 for rate in guard.values()) and pii_echo == 0)
    return {"cases": len(rows), "accuracy": accuracy, "major_recall": recall, "majors": majors,
            "majors_caught": caught, "guard_pass": guard, "pii_echo": pii_echo, "drafters": drafters, "ok": ok}


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _print_report(summary: dict[str, Any], failures: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"wuye draft report · {summary['cases']} complaints · drafters {summary['drafters']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    for field, accuracy in summary["accuracy"].items():
        table.add_row(f"classification accuracy · {field}", f"{accuracy:.3f}", f"≥ {MIN_ACCURACY}")
    recall = summary["major_recall"]
    table.add_row("major recall", "n/a" if recall is None else f"{recall:.3f} ({summary['majors_caught']}/"
                  f"{summary['majors']})", "1.000")
    for stage, rate in summary["guard_pass"].items():
        table.add_row(f"guard pass · {stage}", f"{rate:.3f}", "1.000")
    table.add_row("PII echoed in drafts", str(summary["pii_echo"]), "0")
    table.add_row("bad input lines", str(failures), "0")
    console = Console()
    console.print(table)
    console.print("[green]PASS[/green]" if summary["ok"] else "[red]FAIL[/red]")


def _show(draft_set: Any) -> None:
    from rich.console import Console
    from rich.panel import Panel

    from agent.vocab import STAGE_ZH

    console = Console()
    c = draft_set.classification
    console.print(f"[bold]草稿 {draft_set.id}[/bold] · 状态 {draft_set.status} · 模型 {draft_set.model} "
                  f"({draft_set.drafter}) · 提示词 {draft_set.prompt.id}@{draft_set.prompt.version}")
    console.print(f"分类:{c.category} · 严重度 {c.severity} · {c.urgency} · 诉求 {c.mindset}"
                  + (f" · [red]需上报[/red]:{c.reason}" if c.escalate else ""), highlight=False)
    for stage in draft_set.stages:
        mark = "[green]✓[/green]" if stage.guardrail.passed else "[red]✗[/red]"
        cites = "、".join(f"{t.title}({t.id})" for t in stage.techniques)
        problems = "".join(f"\n[red]· {v.message}[/red]" for v in stage.guardrail.violations)
        console.print(Panel(f"{stage.text}\n[dim]引用:{cites}[/dim]{problems}",
                            title=f"{mark} {STAGE_ZH[stage.stage]} {stage.stage.value}", title_align="left"))
    console.print(f"[dim]模型调用 {draft_set.llm_calls} 次 · 用时 {draft_set.timings_ms.get('total', 0):.0f} ms[/dim]")
