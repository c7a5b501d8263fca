"""`wuye commitments due | overdue | done ID` and `wuye eval harvest --since DATE --out FILE`
(registered by cli/main.py). Heavy imports stay inside the functions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

T = TypeVar("T")
app = typer.Typer(help="承诺台账 Commitment ledger: 到期、逾期、标记办到。", no_args_is_help=True)


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    from agent.errors import WuyeError
    from agent.settings import get_settings

    try:
        return asyncio.run(work(get_settings()))
    except WuyeError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(exc.exit_code) from None


async def _with_db(settings: Any, work: Callable[[Any], Awaitable[T]]) -> T:  # noqa: ANN401
    from agent.workflow.store.database import Database

    db = await Database.open(settings)
    try:
        return await work(db)
    finally:
        await db.dispose()


def _list(status: str, project: str | None, agent: str | None, hours: int, as_json: bool) -> None:
    from agent.loop.service import commitment_json
    from agent.workflow.store import loop as loop_store

    now = datetime.now(UTC)

    async def work(settings: Any) -> list[dict]:  # noqa: ANN401
        async def query(db: Any) -> list[dict]:  # noqa: ANN401
            async with db.connect() as conn:
                rows = await loop_store.list_commitments(conn, scope=loop_store.LoopScope(), status=status, now=now,
                                                         horizon=now + timedelta(hours=hours), project=project,
                                                         agent=agent)
            return [commitment_json(r) for r in rows]

        return await _with_db(settings, query)

    items = _run(work)
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    title = {"due": f"{hours} 小时内到期的承诺 / due within {hours} h", "overdue": "已逾期的承诺 / overdue"}[status]
    typer.echo(f"{title}: {len(items)}")
    for c in items:
        due = datetime.fromisoformat(c["due_at"]).astimezone().strftime("%m-%d %H:%M")
        typer.echo(f"  {due}  {c['what']}  {c['project']}  客服 {c['agent_key_id']}  「{c['quote']}」  {c['id']}")


ProjectOpt = Annotated[str | None, typer.Option("--project", help="只看这个项目 / one project")]
AgentOpt = Annotated[str | None, typer.Option("--agent", help="只看这个客服密钥编号 / one agent key id")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]


@app.command("due")
def due(project: ProjectOpt = None, agent: AgentOpt = None,
        hours: Annotated[int, typer.Option("--hours", min=1, max=720, help="多少小时内到期")] = 24,
        as_json: JsonOpt = False) -> None:
    """即将到期的承诺(默认 24 小时内)/ Open commitments due soon."""
    _list("due", project, agent, hours, as_json)


@app.command("overdue")
def overdue(project: ProjectOpt = None, agent: AgentOpt = None, as_json: JsonOpt = False) -> None:
    """已逾期未办到的承诺 / Open commitments past their due time."""
    _list("overdue", project, agent, 24, as_json)


@app.command("done")
def done(commitment_id: Annotated[str, typer.Argument(help="承诺编号 c_…")],
         by: Annotated[str, typer.Option("--by", help="谁办到的(密钥编号或姓名缩写)")] = "cli") -> None:
    """标记承诺已办到 / Mark a commitment done."""
    from agent.errors import Conflict, NotFound
    from agent.workflow.store import loop as loop_store

    async def work(settings: Any) -> None:  # noqa: ANN401
        async def mark(db: Any) -> None:  # noqa: ANN401
            async with db.begin() as conn:
                if await loop_store.get_commitment(conn, commitment_id=commitment_id,
                                                   scope=loop_store.LoopScope()) is None:
                    raise NotFound(f"找不到承诺 {commitment_id}。", f"No commitment {commitment_id}.")
                if not await loop_store.mark_done(conn, commitment_id=commitment_id, actor=by[:32],
                                                  at=datetime.now(UTC)):
                    raise Conflict("该承诺已标记为完成。", "this commitment is already done.")

        await _with_db(settings, mark)

    _run(work)
    typer.echo(f"已标记办到 / done: {commitment_id}")


def harvest(
    since: Annotated[str, typer.Option("--since", help="起始日期 YYYY-MM-DD / first day")],
    out: Annotated[Path, typer.Option("--out", help="输出文件:.yaml 评测套件,.jsonl 标注集格式")],
    project: ProjectOpt = None,
) -> None:
    """把客服修改和驳回的草稿整理成脱敏的护栏评测用例 / Harvest edited and rejected drafts as eval cases."""
    from agent.errors import InvalidInput

    try:
        day = date.fromisoformat(since)
    except ValueError:
        typer.echo(f"--since 不是有效日期(YYYY-MM-DD):{since} / --since is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    if out.suffix not in (".yaml", ".yml", ".jsonl"):
        typer.echo("--out 必须是 .yaml(评测套件)或 .jsonl(标注集格式)文件 / --out must be .yaml or .jsonl", err=True)
        raise typer.Exit(2)
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)

    async def work(settings: Any) -> list[dict]:  # noqa: ANN401
        from agent.loop.harvest import harvest as collect
        from agent.understand.pii import mask_pii

        async def query(db: Any) -> list[dict]:  # noqa: ANN401
            async with db.connect() as conn:
                return await collect(conn, since=start, mask=lambda t: mask_pii(t).text, project=project)

        return await _with_db(settings, query)

    cases = _run(work)
    if not cases:
        typer.echo(f"{since} 以来没有修改或驳回的草稿 / no edited or rejected drafts since {since}")
        raise typer.Exit(0)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".jsonl":
            out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
        else:
            import yaml

            from agent.loop.harvest import suite_document

            out.write_text(yaml.safe_dump(suite_document(cases, start), allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"无法写入 {out}:{exc.strerror}", f"cannot write {out}: {exc.strerror}") from exc
    typer.echo(f"已写入 {len(cases)} 条用例 / wrote {len(cases)} cases: {out}")


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{name} 不是有效日期(YYYY-MM-DD):{value} / {name} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


def gaps(
    since: Annotated[str | None, typer.Option("--since", help="起始日期 YYYY-MM-DD(默认 30 天前)/ first day")] = None,
    until: Annotated[str | None, typer.Option("--until", help="截止日期(含)/ last day")] = None,
    project: ProjectOpt = None,
    min_confidence: Annotated[float, typer.Option("--min-confidence", min=0, max=1,
                                                  help="低于此检索置信度算“低” / low retrieval below this")] = 0.08,
    heavy_edit_chars: Annotated[int, typer.Option("--heavy-edit-chars", min=1,
                                                  help="改动至少多少字算“大幅修改” / heavy edit from")] = 30,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="最多读取最新的多少条投诉")] = 5000,
    as_json: JsonOpt = False,
) -> None:
    """知识缺口:检索置信度低或草稿被大幅修改的投诉,按主题分组 / Missing playbook topics."""
    from agent.loop import gaps as knowledge

    first = _day(since, "--since") or (datetime.now(UTC).date() - timedelta(days=30))
    last = _day(until, "--until")
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + timedelta(days=1) if last else None

    async def work(settings: Any) -> knowledge.GapsReport:  # noqa: ANN401
        from agent.retrieval.search import Retriever

        retriever = Retriever.open(settings)

        async def query(db: Any) -> tuple[list, bool]:  # noqa: ANN401
            async with db.connect() as conn:
                return await knowledge.load(conn, scope=knowledge.LoopScope(), since=start, until=end,
                                            project=project, limit=limit)

        inputs, truncated = await _with_db(settings, query)
        return knowledge.report(inputs, knowledge.retriever_confidence(retriever), since=start, until=end,
                                truncated=truncated, low_confidence=min_confidence, heavy_edit_chars=heavy_edit_chars)

    result = _run(work)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    typer.echo(f"知识缺口 / missing playbook topics — {first.isoformat()} 起,{result.complaints} 条投诉"
               f"{'(只读了最新的部分 / newest only)' if result.truncated else ''};"
               f"检索置信度 < {result.low_confidence:g} 算低,驳回或改动 ≥ {result.heavy_edit_chars} 字算大幅修改")
    if not result.topics:
        typer.echo("没有发现缺口 / no gaps found")
        return
    for t in result.topics:
        stages = "、".join(f"{c.key}×{c.n}" for c in t.edited_stages[:3]) or "—"
        away = "、".join(f"{c.key}×{c.n}" for c in t.techniques_edited_away[:3]) or "—"
        typer.echo(f"\n■ {t.topic}  缺口 {t.gaps}/{t.complaints}({t.gap_rate:.0%})  检索低 {t.low_retrieval} · "
                   f"大幅修改 {t.heavily_edited}(驳回 {t.rejected}) · 平均置信度 {t.mean_confidence}")
        typer.echo(f"  最接近的话术 closest: {t.closest_entry or '—'}")
        typer.echo(f"  改得最多的环节 edited stages: {stages}   被改掉的话术 cited then edited: {away}")
        for e in t.examples:
            typer.echo(f"  · {e.excerpt}  ({e.draft_id}, 置信度 {e.confidence}, {e.outcome or '未处理'})")
