"""`wuye corpus …`: build, search, ingest, eval. Heavy imports live inside the commands."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.errors import InvalidInput, WuyeError

app = typer.Typer(help="语料索引与检索 Playbook index and retrieval.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Print typed errors as bilingual messages and exit 2 (1 for an unexpected failure)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WuyeError as exc:
            _err(f"错误 Error: {exc.message}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _err("已中断 / Interrupted.")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:  # the reader went away (`wuye … | head`): nothing left to say, no error
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the exit flush does not fail again
            raise typer.Exit(0) from None
        except Exception as exc:  # never a traceback for the user
            _err(f"错误 Error: 出现意外问题({type(exc).__name__}: {exc})。/ Unexpected failure.")
            raise typer.Exit(1) from None

    return wrapper


def _settings():  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from agent.settings import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        raise InvalidInput("环境变量配置有误:" + str(exc.errors()[0].get("msg")),
                           "Invalid WUYE_* setting: " + str(exc.errors()[0].get("msg"))) from None


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@app.command()
@friendly
def build(as_json: Annotated[bool, typer.Option("--json", help="JSON report")] = False) -> None:
    """建立/更新检索索引(只重新嵌入新增或改动的条目)Index the corpus into Chroma, idempotently."""
    from agent.retrieval.index import build_index

    report = build_index(_settings(), progress=not as_json and sys.stderr.isatty())
    if as_json:
        _print_json({**report.model_dump(), "total": report.total})
        return
    status = "已重建 rebuilt (embedding changed)" if report.rebuilt else ("已更新 updated" if report.changed else "无变化 up to date")
    typer.echo(f"索引{status}: 新增 added {report.added} · 更新 updated {report.updated} · "
               f"删除 removed {report.removed} · 未变 unchanged {report.unchanged} · 共 total {report.total}")
    typer.echo(f"嵌入 embedding: {report.embedding}")


@app.command()
@friendly
def search(
    text: Annotated[str | None, typer.Argument(help="业主的话或想查的技巧 The owner's words or a technique")] = None,
    stage: Annotated[str | None, typer.Option(help="listen|empathize|ask|act|negotiate|thank")] = None,
    topic: Annotated[str | None, typer.Option(help="主题 Topic, e.g. repair_ticket")] = None,
    k: Annotated[int, typer.Option(help="返回条数 Number of results (1–50)")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    jsonl: Annotated[Path | None, typer.Option(help='批量查询文件 File of {"id","query"} lines')] = None,
    docs: Annotated[bool, typer.Option("--docs", help="搜索导入的文档段落 Search ingested passages")] = False,
) -> None:
    """检索话术与技巧 Search the playbook (or ingested passages with --docs)."""
    from agent.retrieval.search import open_or_build, parse_stage, parse_topic

    if (text is None) == (jsonl is None):
        raise InvalidInput("请给出一条查询文本,或用 --jsonl 指定批量文件(二选一)。",
                           "Give either one query text or --jsonl FILE (not both).")
    parse_stage(stage), parse_topic(topic)  # validate before opening the index
    retriever = open_or_build(_settings())
    if jsonl is not None:
        raise typer.Exit(_search_batch(retriever, jsonl, k, stage, topic))
    if docs:
        passages = retriever.search_passages(text, k=k)
        if as_json:
            _print_json({"query": text, "results": [p.to_dict() for p in passages]})
        elif not passages:
            typer.echo("还没有导入文档,或没有相关段落。/ No ingested passages (run `wuye corpus ingest`).")
        for rank, p in enumerate(passages, 1):
            typer.echo(f"{rank}. [{p.score:.3f}] {p.text}\n   来源 source: {p.source}")
        return
    hits = retriever.search(text, stage=stage, topic=topic, k=k)
    if as_json:
        _print_json({"query": text, "results": [h.to_dict() for h in hits]})
        return
    from agent.vocab import STAGE_ZH

    for rank, h in enumerate(hits, 1):
        label = f"{STAGE_ZH[h.stage]}·{h.stage.value}" if h.stage else "通用 general"
        typer.echo(f"{rank}. {h.title}  [{label} / {h.topic.value}]  score {h.score:.3f}")
        typer.echo(f"   id: {h.id}   来源 source: {h.source}")
        typer.echo(f"   话术 e.g.: {h.entry.phrasings[0]}")


def _search_batch(retriever: Any, path: Path, k: int, stage: str | None, topic: str | None) -> int:
    failures = 0
    lines = _read_lines(path)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item_id: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or "query" not in item:
                raise InvalidInput(f"第 {number} 行缺少 query 字段。", f"Line {number} has no \"query\" field.")
            item_id = item.get("id", number)
            hits = retriever.search(item["query"], stage=stage, topic=topic, k=k)
            _print_json({"id": item_id, "results": [h.to_dict() for h in hits]})
        except json.JSONDecodeError:
            failures += 1
            _print_json({"id": number, "results": [], "error": InvalidInput(
                f"第 {number} 行不是合法的 JSON。", f"Line {number} is not valid JSON.").to_dict()})
        except WuyeError as exc:
            failures += 1
            _print_json({"id": item_id if item_id is not None else number, "results": [], "error": exc.to_dict()})
    if failures:
        _err(f"有 {failures} 行查询失败(见输出中的 error 字段)。/ {failures} line(s) failed (see their \"error\").")
    return 2 if failures else 0


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_bytes().decode("utf-8-sig").splitlines()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}:{exc.strerror or exc}。", f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"文件 {path.name} 不是 UTF-8 编码。", f"{path.name} is not UTF-8 encoded.") from exc


@app.command()
@friendly
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="文档或目录(.txt / .md)Documents or folders")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON report with every decision")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="列出每个段落的处理结果 List every passage")] = False,
) -> None:
    """导入公司自己的话术文档:切段、去重、过滤无关内容 Ingest raw playbook documents."""
    from agent.retrieval.ingest import ingest_paths

    report = ingest_paths(_settings(), paths, progress=not as_json and sys.stderr.isatty())
    if as_json:
        _print_json(report.to_dict())
    else:
        from agent.retrieval.ingest_view import print_report

        print_report(report, verbose=verbose)
    if report.failed:
        for f in report.failed:
            _err(f"错误 Error: {f.error['message_zh']} / {f.error['message_en']}")
        raise typer.Exit(2)


def _gaps() -> None:
    """`wuye corpus gaps` lives with the loop (agent/loop/cli.py): it reads the store of record."""
    from agent.loop.cli import gaps

    app.command("gaps")(gaps)


_gaps()


@app.command("eval")
@friendly
def eval_command(
    queries: Annotated[Path, typer.Option(help="查询集 YAML query set")] = Path("evals/retrieval/queries.yaml"),
    k: Annotated[int, typer.Option(help="hit@k 的 k")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    compare: Annotated[bool, typer.Option("--compare", help="比较各检索方案 Compare retrieval alternatives")] = False,
) -> None:
    """检索评测:hit@1、hit@k、MRR、按繁简分组、未命中列表 Retrieval metrics on a query set."""
    from agent.retrieval.evaluate import compare_alternatives, evaluate, load_queries, print_metrics

    cases = load_queries(queries)
    settings = _settings()
    if compare:
        rows = compare_alternatives(settings, cases, k)
        if as_json:
            _print_json(rows)
        else:
            from agent.retrieval.evaluate import print_comparison

            print_comparison(rows, k)
        return
    result = evaluate(settings, cases, k)
    if as_json:
        _print_json(result)
    else:
        print_metrics(result, k)
