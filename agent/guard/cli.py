"""`wuye check` — run the guardrails on one reply, a JSONL file, or a labelled evaluation set.

    wuye check --stage act "我们会尽快处理的。"
    wuye check --jsonl replies.jsonl            # lines {"id","stage","text"}; one JSON line out per line
    wuye check --eval evals/guardrails/labelled.jsonl [--json]

A gate: exit 0 when every text passes, 1 when any text fails (a block-severity hit), 2 on unusable
input (a message names the line; the other lines are still checked). ``--eval`` prints metrics and
exits 0. guardrails-ai is imported on the first check, not at start-up.

    wuye guard train                              # rebuild guardrails/learned.npz (docs/guardrails.md)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import typer

from agent.errors import InvalidInput, WuyeError

CHUNK = 500  # lines per guardrails-ai call


def _error_line(line_no: int, rid: object, error: WuyeError) -> dict:
    return {"id": rid, "error": {"code": error.code, "message_zh": error.zh, "message_en": error.en}, "line": line_no}


def _record(line_no: int, raw: str) -> dict:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"第 {line_no} 行不是合法的 JSON:{exc.msg}", f"line {line_no} is not valid JSON: {exc.msg}",
                           code="invalid_json") from exc
    if not isinstance(record, dict):
        raise InvalidInput(f"第 {line_no} 行应是 JSON 对象", f"line {line_no} must be a JSON object", code="invalid_json")
    return record


def _fields(line_no: int, record: dict) -> tuple[object, str, str]:
    for key in ("stage", "text"):
        if key not in record:
            raise InvalidInput(f"第 {line_no} 行缺少字段 {key}", f"line {line_no} is missing the field {key!r}",
                               code="missing_field")
    return record.get("id"), record["text"], record["stage"]


def _lines(handle: IO[str]) -> Iterator[tuple[int, str]]:
    for n, raw in enumerate(handle, start=1):
        if raw.strip():
            yield n, raw


def _open(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}:{exc.strerror}", f"cannot read {path}: {exc.strerror}") from exc


def run_jsonl(checker, handle: IO[str], out: IO[str], err: IO[str], *, progress: bool = False,  # type: ignore[no-untyped-def]
              failed: list[int] | None = None) -> int:
    """Check every line; returns the number of unusable lines (``failed[0]`` counts failing texts)."""
    from agent.guard.checker import validate_item

    bad = 0
    pending: list[tuple[object, str, str]] = []
    failed = failed if failed is not None else [0]

    def flush() -> None:
        results = checker.check_many([(t, s) for _, t, s in pending])
        failed[0] += sum(not r.passed for r in results)
        out.write("".join(
            json.dumps({"id": rid, **res.model_dump(mode="json")}, ensure_ascii=False) + "\n"
            for (rid, _, _), res in zip(pending, results, strict=True)
        ))
        pending.clear()

    bar = None
    if progress:
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(transient=True, console=Console(stderr=True))
        bar.start()
        task = bar.add_task("检查中 checking", total=None)
    try:
        for line_no, raw in _lines(handle):
            rid: object = None
            try:
                record = _record(line_no, raw)
                rid = record.get("id")
                rid, text, stage = _fields(line_no, record)
                validate_item(text, stage, checker.settings.max_reply_chars)
            except WuyeError as exc:
                bad += 1
                flush()  # keep output in input order
                out.write(json.dumps(_error_line(line_no, rid, exc), ensure_ascii=False) + "\n")
                err.write(f"第 {line_no} 行 / line {line_no}: {exc.message}\n")
                continue
            pending.append((rid, text, stage))
            if len(pending) >= CHUNK:
                flush()
                if bar is not None:
                    bar.advance(task, CHUNK)
        flush()
    finally:
        if bar is not None:
            bar.stop()
    return bad


def check(
    text: str | None = typer.Argument(None, help="要检查的回复 / the reply text to check"),
    stage: str | None = typer.Option(None, "--stage", "-s", help="六字诀阶段 listen|empathize|ask|act|negotiate|thank"),
    jsonl: str | None = typer.Option(None, "--jsonl", help='JSONL 文件(每行 {"id","stage","text"}),"-" 为标准输入'),
    eval_file: Path | None = typer.Option(None, "--eval", help="带标注的评测集,输出各类别精确率/召回率"),
    as_json: bool = typer.Option(False, "--json", help="--eval 的结果以 JSON 输出"),
    show_misses: bool = typer.Option(False, "--misses", help="--eval 时列出判错的条目"),
    complaint: str | None = typer.Option(None, "--complaint", help="业主原投诉(已脱敏):另查草稿是否写了投诉里没有的细节 (ungrounded)"),
) -> None:
    """护栏检查:按 guardrails/policy.yaml 检查回复是否触犯“必须避免的做法”。"""
    from agent.guard.checker import GuardChecker
    from agent.settings import get_settings

    modes = sum(x is not None for x in (text, jsonl, eval_file))
    try:
        if modes != 1:
            raise InvalidInput("请给出一条回复文本,或 --jsonl 文件,或 --eval 文件(三选一)",
                               "give exactly one of: a reply text, --jsonl FILE, --eval FILE")
        checker = GuardChecker.from_settings(get_settings(), via_guardrails=False)  # same checks, no Guard import
        if text is not None:
            if stage is None:
                raise InvalidInput("检查单条回复需要 --stage", "--stage is required when checking one reply")
            if complaint is not None and not complaint.strip():
                raise InvalidInput("--complaint 为空", "--complaint is empty")
            result = checker.check(text, stage, complaint=complaint)
            typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
            if not result.passed:
                raise typer.Exit(1)
            return
        if jsonl is not None:
            handle = _open(jsonl)
            failed = [0]
            try:
                bad = run_jsonl(checker, handle, sys.stdout, sys.stderr, progress=sys.stderr.isatty(), failed=failed)
            finally:
                if handle is not sys.stdin:
                    handle.close()
            if bad:
                typer.echo(f"{bad} 行无法检查 / {bad} line(s) could not be checked", err=True)
                raise typer.Exit(2)
            if failed[0]:
                typer.echo(f"{failed[0]} 条回复未通过护栏 / {failed[0]} reply(ies) failed the guardrails", err=True)
                raise typer.Exit(1)
            return
        from agent.guard.evaluate import run_eval

        run_eval(checker, eval_file, as_json=as_json, show_misses=show_misses)
    except WuyeError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(exc.exit_code) from None


guard_app = typer.Typer(name="guard", help="护栏模型 guardrail model: train the learned layer.",
                        no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@guard_app.command("train")
def train_command(
    out: Path | None = typer.Option(None, "--out", help="模型文件(默认 guardrails/learned.npz)"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出训练摘要"),
) -> None:
    """用仓库里的标注数据重新训练分类器,并在开发集上按类别校准阈值(可复现)。"""
    try:
        from agent.guard.train import train

        meta = train(out=out)
    except WuyeError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(exc.exit_code) from None
    if as_json:
        typer.echo(json.dumps(meta, ensure_ascii=False, indent=2))
        return
    typer.echo(f"模型 model: {out or 'guardrails/learned.npz'} · {meta['features']} 特征 features · "
               f"{meta['train_examples']} 训练样本 training examples · {meta['bytes']} bytes · digest {meta['data_digest']}")
    cal = meta["calibration"]
    typer.echo(f"阈值 thresholds ({cal['rows']} 校准样本 calibration rows: {cal['out_of_fold_rows']} out-of-fold + "
               f"{meta['dev_file']}): "
               + ", ".join(f"{c} {t:.2f}" for c, t in meta["thresholds"].items()))


def main() -> None:
    """``python -m agent.guard.cli check …``: the same command without the rest of ``wuye``."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """护栏检查 wuye guardrails."""

    app.command("check")(check)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
