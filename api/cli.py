"""`wuye serve` and `wuye keys …`. Heavy imports stay inside the functions (`wuye --help` is fast)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from typing import Annotated, Any

import typer

keys_app = typer.Typer(help="管理 API 密钥 Manage API keys (stored hashed; the key is shown once).",
                       no_args_is_help=True)


def _fail(exc: Exception) -> None:
    typer.echo(getattr(exc, "message", str(exc)), err=True)
    raise typer.Exit(getattr(exc, "exit_code", 2))


def _with_store(work: Any) -> Any:
    """Open the database (migrated), run ``work(conn)`` in one transaction, close."""
    from agent.errors import WuyeError
    from agent.settings import get_settings
    from agent.workflow.store.database import Database

    async def main() -> Any:
        db = await Database.open(get_settings())
        try:
            async with db.begin() as conn:
                return await work(conn)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except WuyeError as exc:
        _fail(exc)
    except Exception as exc:  # database unreachable, bad URL
        typer.echo(f"无法访问数据库 / cannot open the database: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(2) from None


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help="agent | supervisor | qa | admin")],
    project: Annotated[list[str], typer.Option("--project", help="绑定的项目,可重复;* 表示全部项目")],
    name: Annotated[str, typer.Option("--name", help="密钥名称,如 前台小王")],
    as_json: Annotated[bool, typer.Option("--json", help='输出 {"id","key"}')] = False,
) -> None:
    """创建密钥 Create a key. The key itself is printed once and cannot be shown again."""
    from agent.workflow.store.keys import create_api_key

    async def work(conn: Any) -> tuple[str, str, list[str], str]:
        key, token = await create_api_key(conn, name=name, role=role, projects=project)
        return key.id, key.role, list(key.projects), token

    key_id, key_role, projects, token = _with_store(work)
    if as_json:
        typer.echo(json.dumps({"id": key_id, "key": token}))
        return
    typer.echo(f"已创建密钥 {key_id}(角色 {key_role},项目 {'、'.join(projects)})。")
    typer.echo(f"密钥只显示这一次,请妥善保存 / shown once, store it safely:\n{token}")


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """列出密钥 List keys (never the key itself)."""
    from agent.workflow.store.keys import list_api_keys

    async def work(conn: Any) -> list[dict[str, Any]]:
        return [{"id": r.id, "name": r.name, "role": r.role, "projects": list(r.projects),
                 "created_at": r.created_at.isoformat(),
                 "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None}
                for r in await list_api_keys(conn)]

    rows = _with_store(work)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Column, Table

    table = Table("name 名称", "role 角色", "projects 项目", "created 创建", "status 状态")
    table.columns.insert(0, Column("id", no_wrap=True, min_width=14))
    for r in rows:
        status = f"已吊销 revoked {r['revoked_at'][:10]}" if r["revoked_at"] else "有效 active"
        table.add_row(r["id"], r["name"], r["role"], "、".join(r["projects"]), r["created_at"][:10], status)
    Console().print(table if rows else "还没有密钥,用 `wuye keys create` 创建 / no keys yet.")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="密钥编号,见 `wuye keys list`")]) -> None:
    """吊销密钥 Revoke a key: it stops working at once."""
    from agent.workflow.store.keys import revoke_api_key

    async def work(conn: Any) -> str:
        return await revoke_api_key(conn, key_id=key_id)

    typer.echo(f"已吊销密钥 {_with_store(work)} / revoked.")


async def _prepare(settings: Any) -> int:
    """Migrate once (before workers start); returns how many usable API keys exist, so a first
    start can say how to create one."""
    from agent.workflow.store.database import Database
    from agent.workflow.store.keys import list_api_keys

    db = await Database.open(settings)
    try:
        async with db.connect() as conn:
            return len(await list_api_keys(conn, include_revoked=False))
    finally:
        await db.dispose()


def serve(
    host: Annotated[str, typer.Option(help="监听地址 bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 port")] = 8080,
    workers: Annotated[int, typer.Option(min=1, max=32, help="工作进程数 worker processes (CPU cores)")] = 1,
    allow_local_state: Annotated[bool, typer.Option(
        "--allow-local-state", help="多进程但不设 WUYE_REDIS_URL:每个进程各自限流、各自记录退出登录 / several "
        "workers without Redis: each keeps its own rate limits and sign-outs")] = False,
) -> None:
    """启动 HTTP API(默认:SQLite、内嵌 Chroma、离线起草器)。Serve the HTTP API."""
    import logging

    from agent.errors import WuyeError
    from agent.settings import get_settings

    metrics_dir: str | None = None
    try:
        settings = get_settings()
    except WuyeError as exc:  # invalid WUYE_* settings
        _fail(exc)
    _check_shared_state(settings, workers, allow_local_state)  # before anything heavy is imported

    import uvicorn

    from agent.retrieval.index import ensure_index
    from api.app import create_app

    try:
        settings.ensure_data_dir()
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)
        if settings.redis_url and not asyncio.run(_redis_reachable(settings)):
            typer.echo(f"无法连接 Redis / cannot reach Redis at {_redacted(settings.redis_url)} (WUYE_REDIS_URL)", err=True)
            raise typer.Exit(2)
        typer.echo("检查检索索引 / checking the corpus index …", err=True)
        report = ensure_index(settings)
        if report is not None:
            typer.echo(f"已建立索引 / index built: {report}", err=True)
        if asyncio.run(_prepare(settings)) == 0:
            typer.echo("还没有 API 密钥,先创建一个 / no API keys yet, create one first:\n"
                       "  .venv/bin/wuye keys create --role agent --project 示例小区 --name 前台\n"
                       "  .venv/bin/wuye keys create --role supervisor --project '*' --name 客服主管"
                       "   (控制台 console: /console)", err=True)
        if workers > 1:
            metrics_dir = _multiprocess_metrics_dir()
    except typer.Exit:
        raise
    except WuyeError as exc:
        _fail(exc)
    except Exception as exc:  # unreachable database
        typer.echo(f"启动失败,请检查 WUYE_* 配置和数据库 / start-up failed, check the WUYE_* settings and the "
                   f"database: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(2) from None
    mode = settings.model or "wuye-offline/drafter(离线起草器)"
    typer.echo(f"wuye-copilot API → http://{host}:{port}  (docs: /docs · model: {mode})", err=True)
    # Huge headers: h11 stops buffering a request head past 16 KiB, and the app answers 431 to any
    # head over 16 KiB that got through (api.limits.BodySizeLimit).
    app: Any = create_app(settings, serving=True) if workers == 1 else "api.app:app_from_env"
    try:
        uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), http="h11",
                    h11_max_incomplete_event_size=16 * 1024, timeout_graceful_shutdown=10,
                    workers=workers, factory=workers > 1)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    sys.exit(0)


async def _redis_reachable(settings: Any) -> bool:
    from api.shared import open_shared_state

    state = open_shared_state(settings)
    try:
        return bool((await state.check())["ok"])
    finally:
        await state.aclose()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _check_shared_state(settings: Any, workers: int, allow_local_state: bool) -> None:
    """Several processes need the shared state (Redis) for limits and sign-outs to hold across
    them; Redis means several instances, which need one signing secret. Refuse (exit 2) otherwise."""
    if settings.redis_url and settings.secret_key is None:
        typer.echo("设置了 WUYE_REDIS_URL(多实例)时必须同时设置 WUYE_SECRET_KEY,且所有实例相同。\n"
                   "WUYE_REDIS_URL (several instances) needs WUYE_SECRET_KEY too, the same on every instance "
                   "(e.g. `openssl rand -hex 32`): otherwise a console session signed by one instance is "
                   "refused by the others.", err=True)
        raise typer.Exit(2)
    if workers > 1 and not settings.redis_url:
        lines = (f"--workers {workers} 而未设置 WUYE_REDIS_URL:每个进程只知道自己的限流计数和退出登录记录,"
                 f"每个密钥实际可用 {workers} 倍的频率,在一个进程退出登录的会话在其他进程仍然有效。"
                 "(草稿的审批仍由数据库保证只生效一次。)\n"
                 f"--workers {workers} without WUYE_REDIS_URL: each process keeps its own rate-limit windows "
                 f"and console sign-outs, so a key gets up to {workers}x its limit and a signed-out session "
                 "still works in the other processes. (Decisions stay exactly-once: the database enforces them.)")
        if not allow_local_state:
            typer.echo(lines + "\n请设置 WUYE_REDIS_URL,或加 --allow-local-state 接受上述限制 / set WUYE_REDIS_URL, "
                       "or pass --allow-local-state to accept this.", err=True)
            raise typer.Exit(2)
        typer.echo("警告 warning: " + lines, err=True)


def _multiprocess_metrics_dir() -> str | None:
    """Prometheus multiprocess mode for the workers: a fresh directory in PROMETHEUS_MULTIPROC_DIR
    (one given by the environment is emptied instead). Returns the directory to remove at exit."""
    import os
    import tempfile
    from pathlib import Path

    from api.metrics import MULTIPROC_ENV

    given = os.environ.get(MULTIPROC_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink(missing_ok=True)
        return None
    os.environ[MULTIPROC_ENV] = created = tempfile.mkdtemp(prefix="wuye-metrics-")
    return created
