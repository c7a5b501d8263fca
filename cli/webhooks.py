"""`wuye webhooks …`: subscribe a helpdesk URL to draft events, list, remove, read the delivery log.

The secret is stored to sign deliveries (``X-Wuye-Signature: sha256=<HMAC of the body>``) and never
printed again. Deliveries are sent by every running `wuye serve` (each one claimed once)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from api.cli import _with_store

webhooks_app = typer.Typer(help="Webhook 推送 Subscribe URLs to draft events (signed, retried, logged).",
                           no_args_is_help=True)
EVENTS = ("draft.ready", "draft.flagged", "draft.escalated", "draft.approved")


def _bad(zh: str, en: str) -> None:
    typer.echo(f"{zh} / {en}", err=True)
    raise typer.Exit(2)


@webhooks_app.command("add")
def add(
    project: Annotated[str, typer.Option("--project", help="项目名称,* 表示全部项目")],
    url: Annotated[str, typer.Option("--url", help="接收地址 http(s)://…")],
    events: Annotated[str, typer.Option("--events", help=f"逗号分隔:{','.join(EVENTS)}")],
    secret: Annotated[str, typer.Option("--secret", help="签名密钥(至少 16 个字符)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """订阅 Subscribe a URL to events of a project."""
    from agent.workflow.store import webhooks
    from api.routes.webhooks import check_url

    wanted = [e.strip() for e in events.split(",") if e.strip()]
    unknown = [e for e in wanted if e not in EVENTS]
    if not wanted or unknown:
        _bad(f"未知事件 {unknown or '(空)'},可选 {', '.join(EVENTS)}", f"unknown events {unknown}; choose from {EVENTS}")
    try:
        check_url(url)
    except ValueError as exc:
        _bad(str(exc), "bad --url")
    if len(secret) < 16:
        _bad("签名密钥至少 16 个字符", "the secret needs at least 16 characters")

    async def work(conn: Any) -> str:
        return await webhooks.add(conn, project=project, url=url, events=wanted, secret=secret)

    webhook_id = _with_store(work)
    if as_json:
        typer.echo(json.dumps({"id": webhook_id, "project": project, "url": url, "events": wanted}, ensure_ascii=False))
        return
    typer.echo(f"已订阅 {webhook_id}:{project} → {url}({', '.join(wanted)})")


@webhooks_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """列出订阅 List subscriptions (never the secret)."""
    from agent.workflow.store import webhooks

    async def work(conn: Any) -> list[dict[str, Any]]:
        return [{"id": r.id, "project": r.project, "url": r.url, "events": list(r.events),
                 "created_at": r.created_at.isoformat(), "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None}
                for r in await webhooks.listing(conn)]

    rows = _with_store(work)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        state = "已取消 removed" if r["revoked_at"] else "有效 active"
        typer.echo(f"{r['id']}\t{r['project']}\t{r['url']}\t{','.join(r['events'])}\t{state}")


@webhooks_app.command("remove")
def remove(webhook_id: Annotated[str, typer.Argument(help="订阅编号,见 `wuye webhooks list`")]) -> None:
    """取消订阅 Remove a subscription (its pending deliveries stop)."""
    from agent.workflow.store import webhooks

    async def work(conn: Any) -> bool:
        return await webhooks.remove(conn, webhook_id=webhook_id)

    if not _with_store(work):
        _bad(f"找不到有效的订阅 {webhook_id}", f"no active subscription {webhook_id}")
    typer.echo(f"已取消订阅 {webhook_id}")


@webhooks_app.command("deliveries")
def deliveries(
    webhook_id: Annotated[str | None, typer.Option("--webhook")] = None,
    status: Annotated[str | None, typer.Option("--status", help="pending | delivered | failed")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """投递记录 The delivery log, newest first."""
    from agent.workflow.store import webhooks

    if status and status not in webhooks.DELIVERY_STATUSES:
        _bad(f"未知状态 {status}", f"unknown status {status}; use pending, delivered or failed")

    async def work(conn: Any) -> list[dict[str, Any]]:
        rows, _ = await webhooks.log(conn, webhook_id=webhook_id, status=status, limit=limit)
        return [{"id": r.id, "webhook_id": r.webhook_id, "event": r.event, "draft_id": r.draft_id, "status": r.status,
                 "attempts": r.attempts, "last_status": r.last_status, "last_error": r.last_error,
                 "created_at": r.created_at.isoformat(),
                 "delivered_at": r.delivered_at.isoformat() if r.delivered_at else None} for r in rows]

    rows = _with_store(work)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r['id']}\t{r['event']}\t{r['draft_id']}\t{r['status']}\t{r['attempts']} 次\t"
                   f"{r['last_status'] or '-'}\t{r['last_error'] or ''}")
