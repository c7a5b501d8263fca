"""`wuye db upgrade | current | history`: the database schema (the Alembic migrations in
agent/workflow/store/migrations).

`wuye serve` also upgrades on start; a deployment runs `wuye db upgrade` once before starting the
instances (docs/deploy.md). Heavy imports stay inside the functions (`wuye --help` is fast).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

T = TypeVar("T")

db_app = typer.Typer(help="数据库结构迁移 Database schema migrations (Alembic).", no_args_is_help=True)


def _run(work: Callable[[Any], T]) -> T:
    """``work(settings)`` with bilingual errors and exit 2 instead of a traceback."""
    from agent.errors import WuyeError
    from agent.settings import get_settings

    try:
        return work(get_settings())
    except WuyeError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(getattr(exc, "exit_code", 2)) from None
    except Exception as exc:  # database unreachable, bad URL, unknown revision
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        typer.echo(f"数据库操作失败 / database command failed: {type(exc).__name__}: {reason}", err=True)
        raise typer.Exit(2) from None


def _where(settings: Any) -> str:
    from sqlalchemy.engine import make_url

    from agent.workflow.store.database import database_urls

    return make_url(database_urls(settings)[0]).render_as_string(hide_password=True)


@db_app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Argument(help="目标版本 target revision")] = "head") -> None:
    """升级数据库结构 Upgrade the schema (idempotent; safe from several instances at once)."""
    from agent.workflow.store.migrate import status, upgrade

    def work(settings: Any) -> Any:
        before = status(settings)
        upgrade(settings, revision)
        return before, status(settings), _where(settings)

    before, after, target = _run(work)
    if before.current == after.current:
        typer.echo(f"数据库已是最新 / already at {', '.join(after.current) or '—'} ({target})")
    else:
        typer.echo(f"已升级 / upgraded {', '.join(before.current) or '(empty)'} → {', '.join(after.current)} "
                   f"({target})")


@db_app.command("current")
def current(
    check: Annotated[bool, typer.Option("--check", help="不是最新版本时退出码为 1 / exit 1 unless at head")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """当前数据库版本 The schema revision of the database, and whether it is the newest."""
    from agent.workflow.store.migrate import status

    state, target = _run(lambda settings: (status(settings), _where(settings)))
    if as_json:
        typer.echo(json.dumps({"current": list(state.current), "heads": list(state.heads),
                               "at_head": state.at_head}))
    else:
        typer.echo(f"数据库 database: {target}")
        typer.echo(f"当前版本 current: {', '.join(state.current) or '(未迁移 not migrated)'}")
        typer.echo(f"最新版本 head:    {', '.join(state.heads)}"
                   + ("  ✓ 已是最新 up to date" if state.at_head else "  → 请运行 run `wuye db upgrade`"))
    if check and not state.at_head:
        raise typer.Exit(1)


@db_app.command("history")
def history(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """迁移历史 The migrations this version ships, newest first."""
    from agent.workflow.store.migrate import history

    revisions = _run(history)
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in revisions], ensure_ascii=False))
        return
    for r in revisions:
        typer.echo(f"{r.down or '<base>'} → {r.id}{' (head)' if r.is_head else ''}  {r.message}")
